package dev.azrdpfix.probe;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A plain TCP socket that counts round trips (a read that follows a write) and bounds every read by the current
 * stage's deadline. JSSE reads and writes a layered socket through {@link #getInputStream()} and
 * {@link #getOutputStream()}, so the TLS handshake is counted and bounded too.
 */
final class CountingSocket extends Socket {
  private final Object lock = new Object();
  private InputStream in;
  private OutputStream out;
  private boolean wroteSinceRead;
  private int roundTrips;
  private long deadlineNanos = Long.MAX_VALUE;

  /** Every read from now on fails with a timeout once {@code timeoutMillis} have passed. */
  void startStage(long timeoutMillis) {
    deadlineNanos = System.nanoTime() + timeoutMillis * 1_000_000L;
  }

  int roundTrips() {
    synchronized (lock) {
      return roundTrips;
    }
  }

  @Override
  public InputStream getInputStream() throws IOException {
    synchronized (lock) {
      if (in == null) {
        in = new Counted(super.getInputStream());
      }
      return in;
    }
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    synchronized (lock) {
      if (out == null) {
        out = new FilterOutputStream(super.getOutputStream()) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            wrote();
            this.out.write(b, off, len);
          }

          @Override
          public void write(int b) throws IOException {
            wrote();
            this.out.write(b);
          }
        };
      }
      return out;
    }
  }

  private void wrote() {
    synchronized (lock) {
      wroteSinceRead = true;
    }
  }

  private void beforeRead() throws IOException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw new SocketTimeoutException("stage timed out");
    }
    // soTimeout is per read; re-arming it with what is left keeps a drip-feeding server inside the stage bound.
    setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining / 1_000_000L)));
    synchronized (lock) {
      if (wroteSinceRead) {
        roundTrips++;
        wroteSinceRead = false;
      }
    }
  }

  private final class Counted extends FilterInputStream {
    Counted(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      beforeRead();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      beforeRead();
      return in.read(b, off, len);
    }
  }
}
