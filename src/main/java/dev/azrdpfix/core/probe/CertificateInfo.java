package dev.azrdpfix.core.probe;

/**
 * The server's leaf certificate as the probe saw it.
 *
 * @param subject RFC 2253 subject, e.g. CN=web-01
 * @param issuer RFC 2253 issuer
 * @param notBefore ISO-8601 instant
 * @param notAfter ISO-8601 instant
 * @param thumbprint SHA-1 over the DER, 40 upper-case hex digits, as Windows shows it
 * @param selfSigned subject equals issuer and the certificate verifies with its own key
 * @param expired notAfter is in the past
 * @param notYetValid notBefore is in the future
 * @param matchesExpected null when no thumbprint was expected, else whether it matched
 */
public record CertificateInfo(
    String subject,
    String issuer,
    String notBefore,
    String notAfter,
    String thumbprint,
    boolean selfSigned,
    boolean expired,
    boolean notYetValid,
    Boolean matchesExpected) {}
