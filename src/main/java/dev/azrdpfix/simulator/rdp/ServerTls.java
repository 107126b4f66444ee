package dev.azrdpfix.simulator.rdp;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Server-side TLS contexts built from a certificate's DER and PKCS#8 key, cached per certificate thumbprint. */
final class ServerTls {
  private static final char[] PASSWORD = "fake-rdp".toCharArray();
  private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

  /** The context serving {@code certificateDer}; with no certificate, one that has no key (handshake_failure). */
  SSLContext contextFor(byte[] certificateDer, byte[] privateKeyPkcs8) throws GeneralSecurityException {
    if (certificateDer == null || privateKeyPkcs8 == null) {
      return contexts.computeIfAbsent("none", k -> build(null, null));
    }
    return contexts.computeIfAbsent(SelfSignedCertificates.thumbprint(certificateDer),
        k -> build(certificateDer, privateKeyPkcs8));
  }

  private static SSLContext build(byte[] certificateDer, byte[] privateKeyPkcs8) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (certificateDer == null) {
        context.init(null, null, null);
        return context;
      }
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(certificateDer));
      PrivateKey key = KeyFactory.getInstance(cert.getPublicKey().getAlgorithm())
          .generatePrivate(new PKCS8EncodedKeySpec(privateKeyPkcs8));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("rdp", key, PASSWORD, new Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, PASSWORD);
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the fake RDP server's TLS context: " + e.getMessage(), e);
    }
  }
}
