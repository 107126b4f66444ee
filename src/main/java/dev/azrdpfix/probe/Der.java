package dev.azrdpfix.probe;

import java.io.ByteArrayOutputStream;

/** The little DER the CredSSP exchange needs: definite lengths, bounds checked on every step. */
final class Der {
  private Der() {}

  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One decoded element. */
  record Tlv(int tag, byte[] buf, int off, int len) {
    Reader contents() {
      return new Reader(buf, off, off + len);
    }

    byte[] value() {
      byte[] v = new byte[len];
      System.arraycopy(buf, off, v, 0, len);
      return v;
    }

    /** A non-negative INTEGER of up to 8 bytes; a negative 4-byte value is read as its unsigned 32-bit form. */
    long unsigned() {
      if (len == 0 || len > 9) {
        throw new IllegalArgumentException("INTEGER of length " + len);
      }
      long v = 0;
      for (int i = 0; i < len; i++) {
        v = (v << 8) | (buf[off + i] & 0xFF);
      }
      return len <= 4 ? v & 0xFFFFFFFFL : v;
    }
  }

  /** Reads consecutive elements between {@code pos} and {@code end}. */
  static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int end;

    Reader(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    Tlv next() {
      if (end - pos < 2) {
        throw new IllegalArgumentException("element header past the end");
      }
      int tag = buf[pos++] & 0xFF;
      int first = buf[pos++] & 0xFF;
      int len;
      if (first < 0x80) {
        len = first;
      } else {
        int n = first & 0x7F;
        if (n == 0 || n > 3 || end - pos < n) {
          throw new IllegalArgumentException("invalid length");
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (buf[pos++] & 0xFF);
        }
      }
      if (len > end - pos) {
        throw new IllegalArgumentException(String.format("element 0x%02X longer than its container", tag));
      }
      Tlv t = new Tlv(tag, buf, pos, len);
      pos += len;
      return t;
    }

    Tlv expect(int tag) {
      Tlv t = next();
      if (t.tag() != tag) {
        throw new IllegalArgumentException(String.format("expected tag 0x%02X, found 0x%02X", tag, t.tag()));
      }
      return t;
    }
  }
}
