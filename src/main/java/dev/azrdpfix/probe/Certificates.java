package dev.azrdpfix.probe;

import dev.azrdpfix.core.model.Thumbprint;
import dev.azrdpfix.core.probe.CertificateInfo;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;

/** Describes a server certificate the way the report needs it; the thumbprint matches Windows' Thumbprint field. */
final class Certificates {
  private Certificates() {}

  static CertificateInfo describe(X509Certificate cert, Instant now, String expectedThumbprint) {
    String thumbprint = thumbprint(cert);
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    return new CertificateInfo(
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
        cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
        notBefore.toString(),
        notAfter.toString(),
        thumbprint,
        selfSigned(cert),
        now.isAfter(notAfter),
        now.isBefore(notBefore),
        expectedThumbprint == null ? null : expectedThumbprint.equals(thumbprint));
  }

  /** SHA-1 over the DER, 40 upper-case hex digits. */
  static String thumbprint(X509Certificate cert) {
    try {
      return Thumbprint.ofCertificate(cert.getEncoded()).hex();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash the server certificate: " + e.getMessage(), e);
    }
  }

  private static boolean selfSigned(X509Certificate cert) {
    if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
      return false;
    }
    try {
      cert.verify(cert.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
