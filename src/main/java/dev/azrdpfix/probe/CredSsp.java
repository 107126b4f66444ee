package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeVerdict;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one CredSSP exchange the probe makes (MS-CSSP 2.2.1): a TSRequest carrying a credential-free NTLM NEGOTIATE, and
 * the reply's NTLM token or errorCode. TSRequests travel as raw DER inside TLS, without TPKT.
 */
final class CredSsp {
  /** Longest TSRequest we read; a CHALLENGE reply is a few hundred bytes. */
  static final int MAX_TS_REQUEST = 64 * 1024;

  /** NTLM NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1): flags 0xE20882B7, empty domain/workstation, Version 10.0.17763. */
  static final byte[] NTLM_NEGOTIATE = {
      'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 0x01, 0x00, 0x00, 0x00, (byte) 0xB7, (byte) 0x82, 0x08, (byte) 0xE2,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0x00, 0x63, 0x45, 0x00, 0x00, 0x00, 0x0F
  };

  private CredSsp() {}

  /** What the server answered to our NEGOTIATE: an NTLM token, or a CredSSP errorCode (NTSTATUS). */
  record Reply(byte[] ntlmToken, Long errorCode, int version) {}

  /** TSRequest { version 6, negoTokens { { negoToken NTLM_NEGOTIATE } } }, 57 bytes. */
  static byte[] negotiateRequest() {
    byte[] token = Der.tlv(0x04, NTLM_NEGOTIATE);
    byte[] negoData = Der.tlv(0x30, Der.tlv(0x30, Der.tlv(0xA0, token)));
    return Der.tlv(0x30, Der.concat(Der.tlv(0xA0, Der.tlv(0x02, new byte[] {6})), Der.tlv(0xA1, negoData)));
  }

  /** Reads one DER TSRequest by its declared length (it may span TLS records). */
  static byte[] readTsRequest(InputStream raw) throws IOException, ProbeFailure {
    Wire.Tracked in = new Wire.Tracked(raw);
    try {
      return readTsRequest(in);
    } catch (java.net.SocketTimeoutException e) {
      if (in.count() == 0) {
        throw e;
      }
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the TSRequest was still incomplete after "
          + in.count() + " byte(s) when the stage timed out: a truncated or stalled answer");
    }
  }

  private static byte[] readTsRequest(Wire.Tracked in) throws IOException, ProbeFailure {
    int tag = in.read();
    if (tag < 0) {
      throw new EOFException("closed before answering");
    }
    if (tag != 0x30) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
          String.format("the CredSSP answer is not a DER TSRequest (first byte 0x%02X)", tag));
    }
    int first = in.read();
    if (first < 0) {
      throw truncated();
    }
    int length;
    if (first < 0x80) {
      length = first;
    } else {
      int n = first & 0x7F;
      if (n == 0 || n > 3) {
        throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the TSRequest has an invalid DER length");
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        int b = in.read();
        if (b < 0) {
          throw truncated();
        }
        length = (length << 8) | b;
      }
    }
    if (length > MAX_TS_REQUEST) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the TSRequest declares an implausible length " + length);
    }
    byte[] body = new byte[length];
    if (Wire.readFully(in, body, 0, length) < length) {
      throw truncated();
    }
    return body;
  }

  /** Decodes the content of a TSRequest SEQUENCE. */
  static Reply parse(byte[] body) throws ProbeFailure {
    try {
      Der.Reader seq = new Der.Reader(body, 0, body.length);
      byte[] token = null;
      Long errorCode = null;
      int version = -1;
      while (seq.hasMore()) {
        Der.Tlv field = seq.next();
        Der.Reader inner = field.contents();
        switch (field.tag()) {
          case 0xA0 -> version = (int) inner.expect(0x02).unsigned();
          case 0xA1 -> {
            Der.Reader seqOf = inner.expect(0x30).contents();
            if (seqOf.hasMore()) {
              Der.Reader item = seqOf.expect(0x30).contents();
              token = item.expect(0xA0).contents().expect(0x04).value();
            }
          }
          case 0xA4 -> errorCode = inner.expect(0x02).unsigned();
          default -> {
          } // authInfo, pubKeyAuth, clientNonce: not expected here, and harmless
        }
      }
      return new Reply(token, errorCode, version);
    } catch (IllegalArgumentException e) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the TSRequest is malformed: " + e.getMessage());
    }
  }

  private static ProbeFailure truncated() {
    return new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the TSRequest was truncated: the server closed mid-message");
  }
}
