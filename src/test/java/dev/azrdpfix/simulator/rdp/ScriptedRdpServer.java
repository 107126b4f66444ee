package dev.azrdpfix.simulator.rdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A loopback server for probe tests that runs a script per connection, for the answers {@link FakeRdpServer} has no
 * mode for: malformed and truncated confirms, legacy servers, TLS 1.0-only servers, CredSSP errors, garbage.
 */
public final class ScriptedRdpServer implements AutoCloseable {
  private static final ServerTls TLS = new ServerTls();

  /** What the server does with one accepted connection. */
  @FunctionalInterface
  public interface Script {
    void run(Conn c) throws Exception;
  }

  /** One accepted connection with helpers for the usual steps. */
  public static final class Conn {
    public final Socket socket;
    public final InputStream in;
    public final OutputStream out;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Reads the client's Connection Request; returns its requestedProtocols (-1 without RDP_NEG_REQ). */
    public int readRequest() throws IOException {
      return RdpServerMessages.readConnectionRequest(in);
    }

    public void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Sends the bytes one at a time with a pause between them (a drip-feeding server). */
    public void drip(byte[] bytes, long pauseMillis) throws IOException, InterruptedException {
      for (byte b : bytes) {
        out.write(b);
        out.flush();
        Thread.sleep(pauseMillis);
      }
    }

    /** Confirms {@code protocol} (RDP_NEG_RSP). */
    public void confirm(int protocol) throws IOException {
      send(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0x1F, protocol));
    }

    /** Server-side TLS with the certificate, limited to {@code protocols} if any are given. */
    public SSLSocket tls(SelfSignedCertificates.Issued cert, String... protocols)
        throws IOException, GeneralSecurityException {
      SSLContext ctx = TLS.contextFor(cert == null ? null : cert.certificateDer(),
          cert == null ? null : cert.privateKeyPkcs8());
      SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, null, true);
      s.setUseClientMode(false);
      if (protocols.length > 0) {
        s.setEnabledProtocols(protocols);
      }
      s.startHandshake();
      return s;
    }

    /** Blocks until the client closes (or the socket times out). */
    public void hold() throws IOException {
      byte[] buf = new byte[1024];
      while (in.read(buf) >= 0) {
        // discard
      }
    }

    /** Closes with RST instead of FIN. */
    public void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }

  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  public ScriptedRdpServer(Script script) throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(() -> {
      while (!closed) {
        try {
          Socket s = server.accept();
          connections.incrementAndGet();
          open.add(s);
          Thread t = new Thread(() -> {
            try {
              s.setSoTimeout(30_000);
              script.run(new Conn(s));
            } catch (Exception e) {
              // The probe hung up or the script ended abruptly on purpose.
            } finally {
              open.remove(s);
              try {
                s.close();
              } catch (IOException ignored) {
                // already closed
              }
            }
          }, "scripted-rdp-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "scripted-rdp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public int connectionCount() {
    return connections.get();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
