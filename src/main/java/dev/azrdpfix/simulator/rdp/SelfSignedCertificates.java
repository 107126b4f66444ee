package dev.azrdpfix.simulator.rdp;

import dev.azrdpfix.core.model.Thumbprint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Makes self-signed RSA server certificates like the one Windows issues for RDP, with any validity window (an expired
 * one included). The JDK has no public API for this, so the few DER structures are written here; the result is
 * parsed back with {@link CertificateFactory} before it is returned.
 */
public final class SelfSignedCertificates {
  private static final byte[] SHA256_WITH_RSA =
      {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0b};
  private static final byte[] CN = {0x55, 0x04, 0x03};
  private static final byte[] EXT_KEY_USAGE = {0x55, 0x1d, 0x25};
  private static final byte[] SERVER_AUTH = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSignedCertificates() {}

  /** A certificate and its key, as stored in the simulator's state and served by the fake listener. */
  public record Issued(byte[] certificateDer, byte[] privateKeyPkcs8, String thumbprint) {}

  /** Issues {@code CN=<commonName>} valid from {@code notBefore} to {@code notAfter}, RSA 2048, SHA-256. */
  public static Issued issue(String commonName, Instant notBefore, Instant notAfter) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, RANDOM);
      KeyPair pair = gen.generateKeyPair();
      byte[] name = seq(set(seq(oid(CN), utf8(commonName))));
      byte[] algorithm = seq(oid(SHA256_WITH_RSA), new byte[] {0x05, 0x00});
      byte[] extensions =
          tlv(0xa3, seq(seq(oid(EXT_KEY_USAGE), tlv(0x04, seq(oid(SERVER_AUTH))))));
      byte[] tbs =
          seq(
              tlv(0xa0, integer(BigInteger.TWO)),
              integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),
              algorithm,
              name,
              seq(time(notBefore), time(notAfter)),
              name,
              pair.getPublic().getEncoded(),
              extensions);
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(pair.getPrivate());
      signer.update(tbs);
      byte[] signature = signer.sign();
      byte[] bitString = new byte[signature.length + 1];
      System.arraycopy(signature, 0, bitString, 1, signature.length);
      byte[] der = seq(tbs, algorithm, tlv(0x03, bitString));
      X509Certificate parsed =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
      return new Issued(parsed.getEncoded(), pair.getPrivate().getEncoded(), thumbprint(parsed.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a self-signed certificate: " + e.getMessage(), e);
    }
  }

  /** The SHA-1 thumbprint as Windows shows it: 40 upper-case hex digits. */
  public static String thumbprint(byte[] der) {
    return Thumbprint.ofCertificate(der).hex();
  }

  private static byte[] time(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    if (year >= 1950 && year < 2050) {
      return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
          .getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
        .getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] integer(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] oid(byte[] encoded) {
    return tlv(0x06, encoded);
  }

  private static byte[] utf8(String s) {
    return tlv(0x0c, s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A DER tag-length-value; shared with the fake server's CredSSP messages. */
  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
