package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.NtlmInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A decoded NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) and its AV_PAIRs (2.2.2.1): the server's names, OS version and
 * clock, which it sends to anyone before authentication.
 */
record NtlmChallenge(
    String targetName,
    long flags,
    String nbComputerName,
    String nbDomainName,
    String dnsComputerName,
    String dnsDomainName,
    String dnsTreeName,
    String osVersion,
    Instant timestamp) {

  static final long NEGOTIATE_VERSION = 0x02000000L;
  private static final byte[] SIGNATURE = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  /** 100 ns ticks between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
  private static final long FILETIME_UNIX_OFFSET_SECONDS = 11_644_473_600L;

  /** Decodes a CHALLENGE; every offset is checked against the token length. */
  static NtlmChallenge decode(byte[] t) {
    if (t.length < 48) {
      throw new IllegalArgumentException("an NTLM CHALLENGE is at least 48 bytes, got " + t.length);
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (t[i] != SIGNATURE[i]) {
        throw new IllegalArgumentException("no NTLMSSP signature");
      }
    }
    long type = Wire.le32(t, 8);
    if (type != 2) {
      throw new IllegalArgumentException("NTLM message type " + type + ", expected 2 (CHALLENGE)");
    }
    long flags = Wire.le32(t, 20);
    String targetName = utf16(t, Wire.le16(t, 12), Wire.le32(t, 16), "TargetName");
    int infoLen = Wire.le16(t, 40);
    long infoOff = Wire.le32(t, 44);
    checkBounds(t, infoLen, infoOff, "TargetInfo");
    String osVersion = null;
    if ((flags & NEGOTIATE_VERSION) != 0 && t.length >= 56) {
      osVersion = (t[48] & 0xFF) + "." + (t[49] & 0xFF) + "." + Wire.le16(t, 50);
    }
    String[] names = new String[6];
    Instant timestamp = null;
    int pos = (int) infoOff;
    int end = pos + infoLen;
    while (pos + 4 <= end) {
      int id = Wire.le16(t, pos);
      int len = Wire.le16(t, pos + 2);
      pos += 4;
      if (id == 0) {
        break;
      }
      if (pos + len > end) {
        throw new IllegalArgumentException("AV_PAIR " + id + " runs past TargetInfo");
      }
      if (id >= 1 && id <= 5) {
        names[id] = new String(t, pos, len, StandardCharsets.UTF_16LE);
      } else if (id == 7 && len == 8) {
        timestamp = fromFiletime(Wire.le64(t, pos));
      }
      pos += len;
    }
    return new NtlmChallenge(targetName, flags, names[1], names[2], names[3], names[4], names[5], osVersion,
        timestamp);
  }

  /** The report form; {@code receivedAt} is our clock when the CHALLENGE arrived. */
  NtlmInfo toInfo(Instant receivedAt) {
    Long skew = timestamp == null ? null : timestamp.toEpochMilli() - receivedAt.toEpochMilli();
    return new NtlmInfo(targetName, nbComputerName, nbDomainName, dnsComputerName, dnsDomainName, dnsTreeName,
        osVersion, timestamp == null ? null : timestamp.toString(), skew);
  }

  static Instant fromFiletime(long ticks) {
    long seconds = Math.floorDiv(ticks, 10_000_000L) - FILETIME_UNIX_OFFSET_SECONDS;
    long nanos = Math.floorMod(ticks, 10_000_000L) * 100L;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static String utf16(byte[] t, int len, long off, String what) {
    if (len == 0) {
      return null;
    }
    checkBounds(t, len, off, what);
    return new String(t, (int) off, len, StandardCharsets.UTF_16LE);
  }

  private static void checkBounds(byte[] t, int len, long off, String what) {
    if (len > 0 && (off < 0 || off + len > t.length)) {
      throw new IllegalArgumentException(what + " (offset " + off + ", length " + len + ") lies outside the message");
    }
  }
}
