package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.Negotiation;
import dev.azrdpfix.core.probe.ProbeVerdict;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** The X.224 Connection Request the probe sends and the Connection Confirm it parses (MS-RDPBCGR 2.2.1.1–2.2.1.2). */
final class X224 {
  static final int PROTOCOL_RDP = 0x00;
  static final int PROTOCOL_SSL = 0x01;
  static final int PROTOCOL_HYBRID = 0x02;
  static final int PROTOCOL_RDSTLS = 0x04;
  static final int PROTOCOL_HYBRID_EX = 0x08;
  static final int PROTOCOL_RDSAAD = 0x10;
  /** Longest Connection Confirm we accept; a real one is 11 or 19 bytes. */
  static final int MAX_CC = 512;

  private X224() {}

  /** TPKT + X.224 CR (no cookie: it would carry a user name) + RDP_NEG_REQ, 19 bytes. */
  static byte[] connectionRequest(int requestedProtocols) {
    return new byte[] {
        0x03, 0x00, 0x00, 0x13, // TPKT v3, length 19 (big-endian, header included)
        0x0E, (byte) 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, // LI = 19 - 5, CR, DST-REF, SRC-REF, class 0
        0x01, 0x00, 0x08, 0x00, // RDP_NEG_REQ type 1, flags 0, length 8 (little-endian)
        (byte) requestedProtocols, (byte) (requestedProtocols >>> 8), (byte) (requestedProtocols >>> 16),
        (byte) (requestedProtocols >>> 24)
    };
  }

  /** Reads one TPKT frame and decodes it as a Connection Confirm. */
  static Negotiation readConfirm(InputStream raw, int requested) throws IOException, ProbeFailure {
    Wire.Tracked in = new Wire.Tracked(raw);
    try {
      return readConfirm(in, requested);
    } catch (java.net.SocketTimeoutException e) {
      if (in.count() == 0) {
        throw e;
      }
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the Connection Confirm was still incomplete after "
          + in.count() + " byte(s) when the stage timed out: a truncated or stalled answer");
    }
  }

  private static Negotiation readConfirm(Wire.Tracked in, int requested) throws IOException, ProbeFailure {
    byte[] header = new byte[4];
    int got = Wire.readFully(in, header, 0, 4);
    if (got == 0) {
      throw new EOFException("closed before answering");
    }
    if (got < 4) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
          "the server sent " + got + " byte(s) and closed: not an X.224 Connection Confirm");
    }
    if ((header[0] & 0xFF) != 0x03) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the server answered with " + Wire.describe(header, 4)
          + ", not a TPKT frame: the port does not speak RDP");
    }
    int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
    if (length < 11 || length > MAX_CC) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
          "the server sent a TPKT frame of implausible length " + length + " for a Connection Confirm");
    }
    byte[] frame = new byte[length];
    System.arraycopy(header, 0, frame, 0, 4);
    int rest = Wire.readFully(in, frame, 4, length - 4);
    if (rest < length - 4) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, "the Connection Confirm was truncated: "
          + (4 + rest) + " of " + length + " bytes, then the server closed");
    }
    return parseConfirm(frame, requested);
  }

  /** Decodes a complete TPKT frame; never trusts a length it has not checked. */
  static Negotiation parseConfirm(byte[] frame, int requested) throws ProbeFailure {
    if ((frame[5] & 0xF0) != 0xD0) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR, String.format(
          "expected an X.224 Connection Confirm (0xD0), got TPDU code 0x%02X", frame[5] & 0xFF));
    }
    if (frame.length == 11) {
      // A server from before RDP 5.2 ignores RDP_NEG_REQ and will use Standard RDP Security.
      return new Negotiation(requested, false, PROTOCOL_RDP, "RDP", 0, 0, null);
    }
    if (frame.length < 19) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
          "the Connection Confirm's negotiation data is truncated (" + frame.length + " bytes)");
    }
    int type = frame[11] & 0xFF;
    int flags = frame[12] & 0xFF;
    int negLength = Wire.le16(frame, 13);
    long value = Wire.le32(frame, 15);
    if (negLength != 8) {
      throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
          "the negotiation data declares length " + negLength + " (RDP_NEG_RSP/FAILURE are 8 bytes)");
    }
    if (type == 0x02) {
      return new Negotiation(requested, true, (int) value, protocolName(value), flags, 0, null);
    }
    if (type == 0x03) {
      return new Negotiation(requested, true, -1, null, flags, (int) value, failureName(value));
    }
    throw new ProbeFailure(ProbeVerdict.PROTOCOL_ERROR,
        String.format("unknown negotiation response type 0x%02X (expected RDP_NEG_RSP 0x02 or RDP_NEG_FAILURE 0x03)",
            type));
  }

  static String protocolName(long p) {
    if (p == PROTOCOL_RDP) {
      return "RDP";
    } else if (p == PROTOCOL_SSL) {
      return "SSL";
    } else if (p == PROTOCOL_HYBRID) {
      return "HYBRID";
    } else if (p == PROTOCOL_RDSTLS) {
      return "RDSTLS";
    } else if (p == PROTOCOL_HYBRID_EX) {
      return "HYBRID_EX";
    } else if (p == PROTOCOL_RDSAAD) {
      return "RDSAAD";
    }
    return String.format("UNKNOWN_0x%X", p);
  }

  static String failureName(long code) {
    switch ((int) code) {
      case 1:
        return "SSL_REQUIRED_BY_SERVER";
      case 2:
        return "SSL_NOT_ALLOWED_BY_SERVER";
      case 3:
        return "SSL_CERT_NOT_ON_SERVER";
      case 4:
        return "INCONSISTENT_FLAGS";
      case 5:
        return "HYBRID_REQUIRED_BY_SERVER";
      case 6:
        return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
      default:
        return String.format("UNKNOWN_FAILURE_0x%X", code);
    }
  }

  /** What a negotiation failure code means for the VM, in a few words. */
  static String failureMeaning(int code) {
    switch (code) {
      case 1:
        return "the server requires TLS or CredSSP";
      case 2:
        return "the server is configured for Standard RDP Security only (SecurityLayer=0)";
      case 3:
        return "the server has no usable RDP certificate, so it cannot start TLS or CredSSP";
      case 4:
        return "the requested protocols are inconsistent with the server's state";
      case 5:
        return "the server requires CredSSP (NLA)";
      case 6:
        return "the server requires TLS with client certificate authentication";
      default:
        return "a failure code outside MS-RDPBCGR 2.2.1.2.2";
    }
  }
}
