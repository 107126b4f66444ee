package dev.azrdpfix.simulator.rdp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;

/**
 * The server side of the few RDP messages the fake listener speaks: reading the X.224 Connection Request, writing the
 * Connection Confirm (RDP_NEG_RSP or RDP_NEG_FAILURE), and the CredSSP TSRequest carrying an NTLM CHALLENGE.
 * Written from MS-RDPBCGR / MS-CSSP / MS-NLMP independently of the probe's decoders, so the two check each other.
 */
public final class RdpServerMessages {
  public static final int TYPE_RSP = 0x02;
  public static final int TYPE_FAILURE = 0x03;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long FILETIME_UNIX_OFFSET_SECONDS = 11_644_473_600L;

  private RdpServerMessages() {}

  /**
   * Reads one TPKT-framed X.224 Connection Request and returns its RDP_NEG_REQ requestedProtocols, or -1 when it has
   * no negotiation request (cookie only, or an old client).
   *
   * @throws IOException on EOF or a frame that is not a Connection Request
   */
  public static int readConnectionRequest(InputStream in) throws IOException {
    byte[] header = in.readNBytes(4);
    if (header.length < 4) {
      throw new EOFException("client closed before a Connection Request");
    }
    if (header[0] != 0x03) {
      throw new IOException("not a TPKT frame");
    }
    int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
    if (length < 11 || length > 4096) {
      throw new IOException("bad TPKT length " + length);
    }
    byte[] body = in.readNBytes(length - 4);
    if (body.length < length - 4) {
      throw new EOFException("truncated Connection Request");
    }
    if ((body[1] & 0xFF) != 0xE0) {
      throw new IOException("not an X.224 Connection Request");
    }
    // The variable part starts after LI, code, DST-REF, SRC-REF and class (7 bytes of the body).
    int pos = 7;
    if (body.length - pos >= 2 && body[pos] != 0x01) {
      // A cookie or routing token: skip up to and including CRLF.
      while (pos + 1 < body.length && !(body[pos] == '\r' && body[pos + 1] == '\n')) {
        pos++;
      }
      pos += 2;
    }
    if (body.length - pos >= 8 && body[pos] == 0x01) {
      return (body[pos + 4] & 0xFF) | (body[pos + 5] & 0xFF) << 8 | (body[pos + 6] & 0xFF) << 16
          | (body[pos + 7] & 0xFF) << 24;
    }
    return -1;
  }

  /** A 19-byte Connection Confirm carrying RDP_NEG_RSP (type 2) or RDP_NEG_FAILURE (type 3). */
  public static byte[] connectionConfirm(int type, int flags, int value) {
    return new byte[] {
        0x03, 0x00, 0x00, 0x13, 0x0E, (byte) 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
        (byte) type, (byte) flags, 0x08, 0x00,
        (byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)
    };
  }

  /** An 11-byte Connection Confirm with no negotiation data, as a pre-RDP-5.2 server sends. */
  public static byte[] legacyConnectionConfirm() {
    return new byte[] {0x03, 0x00, 0x00, 0x0B, 0x06, (byte) 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00};
  }

  /**
   * Reads one DER TSRequest (SEQUENCE, definite length) from a TLS stream and returns it whole.
   *
   * @throws IOException on EOF or something that is not a SEQUENCE
   */
  public static byte[] readTsRequest(InputStream in) throws IOException {
    int tag = in.read();
    if (tag != 0x30) {
      throw new IOException(tag < 0 ? "EOF" : "not a TSRequest");
    }
    int first = in.read();
    int length = first;
    if (first >= 0x80) {
      length = 0;
      for (int i = 0; i < (first & 0x7F); i++) {
        length = (length << 8) | in.read();
      }
    }
    if (first < 0 || length < 0 || length > 65536) {
      throw new IOException("bad TSRequest length");
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("truncated TSRequest");
    }
    return body;
  }

  /** TSRequest { version 6, negoTokens { { negoToken } } }. */
  public static byte[] tsRequestWithToken(byte[] token) {
    byte[] nego = tlv(0x30, tlv(0x30, tlv(0xA0, tlv(0x04, token))));
    return tlv(0x30, concat(tlv(0xA0, tlv(0x02, new byte[] {6})), tlv(0xA1, nego)));
  }

  /** TSRequest { version 6, errorCode } as a CredSSP v3+ server reports a failure. */
  public static byte[] tsRequestWithError(int ntstatus) {
    byte[] code = {0x00, (byte) (ntstatus >>> 24), (byte) (ntstatus >>> 16), (byte) (ntstatus >>> 8), (byte) ntstatus};
    return tlv(0x30, concat(tlv(0xA0, tlv(0x02, new byte[] {6})), tlv(0xA4, tlv(0x02, code))));
  }

  /**
   * An NTLM CHALLENGE_MESSAGE for a workgroup Windows server named {@code computerName}: NetBIOS names upper-cased
   * (at most 15 characters), DNS names as given, OS version 10.0.20348, MsvAvTimestamp = {@code serverTime}.
   */
  public static byte[] ntlmChallenge(String computerName, Instant serverTime) {
    String dns = computerName;
    String netbios = computerName.toUpperCase(Locale.ROOT);
    if (netbios.length() > 15) {
      netbios = netbios.substring(0, 15);
    }
    byte[] target = netbios.getBytes(StandardCharsets.UTF_16LE);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    avPair(info, 2, netbios.getBytes(StandardCharsets.UTF_16LE));
    avPair(info, 1, netbios.getBytes(StandardCharsets.UTF_16LE));
    avPair(info, 4, dns.getBytes(StandardCharsets.UTF_16LE));
    avPair(info, 3, dns.getBytes(StandardCharsets.UTF_16LE));
    avPair(info, 7, le(filetime(serverTime), 8));
    avPair(info, 0, new byte[0]);
    byte[] targetInfo = info.toByteArray();
    int headerLength = 56;
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII));
    m.writeBytes(le(2, 4));
    m.writeBytes(securityBuffer(target.length, headerLength));
    // UNICODE | REQUEST_TARGET | SIGN | NTLM | ALWAYS_SIGN | TARGET_TYPE_SERVER | EXTENDED_SESSIONSECURITY
    // | TARGET_INFO
    // | VERSION | 128 | KEY_EXCH | 56
    m.writeBytes(le(0xE28A8215L, 4));
    byte[] challenge = new byte[8];
    RANDOM.nextBytes(challenge);
    m.writeBytes(challenge);
    m.writeBytes(new byte[8]);
    m.writeBytes(securityBuffer(targetInfo.length, headerLength + target.length));
    m.writeBytes(new byte[] {10, 0, 0x7C, 0x4F, 0, 0, 0, 0x0F}); // 10.0 build 20348 (0x4F7C), NTLM revision 15
    m.writeBytes(target);
    m.writeBytes(targetInfo);
    return m.toByteArray();
  }

  static long filetime(Instant t) {
    return (t.getEpochSecond() + FILETIME_UNIX_OFFSET_SECONDS) * 10_000_000L + t.getNano() / 100;
  }

  private static void avPair(ByteArrayOutputStream out, int id, byte[] value) {
    out.writeBytes(le(id, 2));
    out.writeBytes(le(value.length, 2));
    out.writeBytes(value);
  }

  private static byte[] securityBuffer(int length, int offset) {
    return concat(le(length, 2), le(length, 2), le(offset, 4));
  }

  private static byte[] le(long v, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  static byte[] tlv(int tag, byte[] value) {
    return SelfSignedCertificates.tlv(tag, value);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
