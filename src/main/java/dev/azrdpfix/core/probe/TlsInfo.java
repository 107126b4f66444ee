package dev.azrdpfix.core.probe;

/**
 * The TLS session the probe negotiated.
 *
 * @param version e.g. TLSv1.2
 * @param cipherSuite e.g. TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * @param weak true when the version is below TLS 1.2
 */
public record TlsInfo(String version, String cipherSuite, boolean weak) {}
