package dev.azrdpfix.probe;

import java.io.IOException;
import java.io.InputStream;

/** Byte helpers shared by the probe's decoders. */
final class Wire {
  private Wire() {}

  /** Reads until {@code len} bytes or end of stream; returns how many were read. */
  static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n = in.read(b, off + total, len - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  static int le16(byte[] b, int off) {
    return (b[off] & 0xFF) | ((b[off + 1] & 0xFF) << 8);
  }

  static long le32(byte[] b, int off) {
    return (b[off] & 0xFFL) | ((b[off + 1] & 0xFFL) << 8) | ((b[off + 2] & 0xFFL) << 16)
        | ((b[off + 3] & 0xFFL) << 24);
  }

  static long le64(byte[] b, int off) {
    return le32(b, off) | (le32(b, off + 4) << 32);
  }

  /** Shows the first bytes of an unexpected answer: as text if printable (e.g. "HTTP/1.1"), else as hex. */
  static String describe(byte[] b, int len) {
    int n = Math.min(len, 16);
    boolean printable = n > 0;
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xFF;
      if (c < 0x20 || c > 0x7E) {
        printable = false;
        break;
      }
    }
    if (printable) {
      return "text \"" + new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII) + "\"";
    }
    StringBuilder hex = new StringBuilder("bytes");
    for (int i = 0; i < n; i++) {
      hex.append(String.format(" %02X", b[i] & 0xFF));
    }
    return hex.toString();
  }

  /** Counts the bytes read through it, to tell "nothing came" from "a message stopped half-way". */
  static final class Tracked extends java.io.FilterInputStream {
    private long count;

    Tracked(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
