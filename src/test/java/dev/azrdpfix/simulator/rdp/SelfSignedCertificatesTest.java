package dev.azrdpfix.simulator.rdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class SelfSignedCertificatesTest {

  @Test
  void issues_an_expired_certificate_whose_key_signs_for_its_public_key() throws Exception {
    Instant now = Instant.parse("2026-11-23T00:00:00Z");
    var issued =
        SelfSignedCertificates.issue("web-01", now.minus(Duration.ofDays(200)), now.minus(Duration.ofDays(20)));

    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(issued.certificateDer()));
    assertEquals("CN=web-01", cert.getSubjectX500Principal().getName());
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertThrows(CertificateExpiredException.class, () -> cert.checkValidity(Date.from(now)));
    assertEquals(java.util.List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
    cert.verify(cert.getPublicKey());

    var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(issued.privateKeyPkcs8()));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    s.initVerify(cert.getPublicKey());
    s.update(new byte[] {1, 2, 3});
    assertEquals(true, s.verify(sig));
    assertEquals(40, issued.thumbprint().length());
    assertEquals(issued.thumbprint(), SelfSignedCertificates.thumbprint(cert.getEncoded()));
  }
}
