package dev.azrdpfix.simulator.rdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;

/**
 * A loopback RDP listener that plays an {@link RdpBehaviour} over a real socket, asking the supplier on every
 * connection so it follows the simulated VM's current state. Used by the simulated Azure and by the probe tests.
 *
 * <p>REFUSED and BLACKHOLE are states of the port, not of a connection, so a control thread also polls the supplier
 * (every {@value #POLL_MILLIS} ms) and closes the listener (refused), or swaps in a never-accepting listener whose
 * queue it fills itself so Linux drops further SYNs (connect timeout), on the same port. If the kernel does not drop
 * SYNs that way, {@link #blackholeDropsSyns()} says so and a connect succeeds but nothing answers.
 */
public final class FakeRdpServer implements AutoCloseable {
  static final int POLL_MILLIS = 50;
  /** How long a filler connect may take before we call the accept queue full (SYN dropped). */
  private static final int FILL_PROBE_MILLIS = 250;
  private static final int MAX_FILLERS = 16;
  /** A connection the client never finishes is dropped after this long, so no thread lives forever. */
  private static final int IDLE_MILLIS = 60_000;

  private enum PortState {
    SERVING, REFUSED, BLACKHOLE
  }

  private final Supplier<RdpBehaviour> behaviour;
  private final InetSocketAddress address;
  private final ServerTls tls = new ServerTls();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final Object lock = new Object();
  private final Thread control;
  private volatile boolean closed;
  private volatile boolean blackholeDropsSyns = true;
  private PortState state;
  private ServerSocket listener;
  private ServerSocket blackhole;
  private final List<Socket> fillers = new ArrayList<>();

  /** Binds 127.0.0.1 on an ephemeral port and starts accepting. */
  public FakeRdpServer(Supplier<RdpBehaviour> behaviour) {
    this.behaviour = behaviour;
    try {
      listener = newListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind a loopback port for the fake RDP server: " + e.getMessage(), e);
    }
    address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    state = PortState.SERVING;
    synchronized (lock) {
      moveTo(desired(current()));
    }
    control = new Thread(this::controlLoop, "fake-rdp-" + address.getPort());
    control.setDaemon(true);
    control.start();
  }

  /** The bound loopback port. */
  public int port() {
    return address.getPort();
  }

  /** How many TCP connections were accepted so far (a healthy probe makes exactly one). */
  public int connectionCount() {
    return connections.get();
  }

  /** False if the kernel kept accepting SYNs into a full queue, so BLACKHOLE shows as "no response" instead. */
  public boolean blackholeDropsSyns() {
    return blackholeDropsSyns;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      closeQuietly(listener);
      listener = null;
      leaveBlackhole();
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    control.interrupt();
    try {
      control.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void controlLoop() {
    while (!closed) {
      ServerSocket serving;
      synchronized (lock) {
        serving = state == PortState.SERVING ? listener : null;
      }
      if (serving == null) {
        sleep();
      } else {
        try {
          Socket client = serving.accept();
          connections.incrementAndGet();
          dispatch(client);
          continue;
        } catch (SocketTimeoutException e) {
          // Poll below.
        } catch (IOException e) {
          if (closed) {
            return;
          }
        }
      }
      RdpBehaviour now = current();
      if (now != null) {
        synchronized (lock) {
          if (!closed) {
            moveTo(desired(now));
          }
        }
      }
    }
  }

  private RdpBehaviour current() {
    try {
      return behaviour.get();
    } catch (RuntimeException e) {
      return null; // A failing supplier keeps the port as it is.
    }
  }

  private static PortState desired(RdpBehaviour b) {
    if (b == null) {
      return PortState.SERVING;
    }
    return switch (b.mode()) {
      case REFUSED -> PortState.REFUSED;
      case BLACKHOLE -> PortState.BLACKHOLE;
      default -> PortState.SERVING;
    };
  }

  /** Reshapes the port; called with {@link #lock} held. */
  private void moveTo(PortState target) {
    if (target == state && (target != PortState.SERVING || listener != null)) {
      return;
    }
    closeQuietly(listener);
    listener = null;
    leaveBlackhole();
    try {
      if (target == PortState.SERVING) {
        listener = newListener(address, 50);
      } else if (target == PortState.BLACKHOLE) {
        enterBlackhole();
      }
      state = target;
    } catch (IOException e) {
      // The port is briefly unavailable (e.g. being rebound): stay closed and retry at the next poll.
      state = PortState.REFUSED;
    }
  }

  private static ServerSocket newListener(InetSocketAddress at, int backlog) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(at, backlog);
    s.setSoTimeout(POLL_MILLIS);
    return s;
  }

  /**
   * A listener with backlog 1 that never accepts: we connect to it ourselves until a connect times out, which proves
   * the accept queue is full and Linux now drops SYNs, so a client's connect times out as behind a dropping firewall.
   */
  private void enterBlackhole() throws IOException {
    blackhole = newListener(address, 1);
    for (int i = 0; i < MAX_FILLERS; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(address, FILL_PROBE_MILLIS);
        fillers.add(filler);
      } catch (SocketTimeoutException e) {
        closeQuietly(filler);
        blackholeDropsSyns = true;
        return;
      } catch (IOException e) {
        closeQuietly(filler);
        break;
      }
    }
    blackholeDropsSyns = false;
  }

  private void leaveBlackhole() {
    for (Socket f : fillers) {
      closeQuietly(f);
    }
    fillers.clear();
    closeQuietly(blackhole);
    blackhole = null;
  }

  private void dispatch(Socket client) {
    RdpBehaviour b = current();
    PortState wanted = desired(b);
    if (b == null || wanted != PortState.SERVING) {
      // The VM changed state between polls: drop this connection and reshape the port for the next one.
      resetQuietly(client);
      if (b != null) {
        synchronized (lock) {
          moveTo(wanted);
        }
      }
      return;
    }
    open.add(client);
    Thread t = new Thread(() -> {
      try {
        play(client, b);
      } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
        // The client went away or sent garbage: a real listener just drops the connection too.
      } finally {
        open.remove(client);
        closeQuietly(client);
      }
    }, "fake-rdp-conn-" + address.getPort());
    t.setDaemon(true);
    t.start();
  }

  private void play(Socket client, RdpBehaviour b) throws IOException, java.security.GeneralSecurityException {
    client.setSoTimeout(IDLE_MILLIS);
    client.setTcpNoDelay(true);
    InputStream in = client.getInputStream();
    OutputStream out = client.getOutputStream();
    if (b.mode() == RdpBehaviour.Mode.NO_RESPONSE) {
      drain(in);
      return;
    }
    int requested = RdpServerMessages.readConnectionRequest(in);
    int offered = Math.max(requested, 0);
    switch (b.mode()) {
      case NEG_FAILURE_CERT_NOT_ON_SERVER -> out.write(RdpServerMessages.connectionConfirm(
          RdpServerMessages.TYPE_FAILURE, 0, 3));
      case STANDARD_RDP_ONLY -> out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_FAILURE, 0, 2));
      case HEALTHY_TLS -> {
        if ((offered & 0x01) == 0) {
          out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_FAILURE, 0, 1));
          return;
        }
        out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0x1F, 0x01));
        SSLSocket s = startTls(client, b);
        drain(s.getInputStream());
      }
      case HEALTHY_NLA -> {
        int selected = nlaProtocol(offered);
        if (selected == 0) {
          out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_FAILURE, 0, 5));
          return;
        }
        out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0x1F, selected));
        SSLSocket s = startTls(client, b);
        RdpServerMessages.readTsRequest(s.getInputStream());
        Duration skew = b.clockSkew() == null ? Duration.ZERO : b.clockSkew();
        String name = b.computerName() == null ? "rdp-host" : b.computerName();
        byte[] challenge = RdpServerMessages.ntlmChallenge(name, Instant.now().plus(skew));
        s.getOutputStream().write(RdpServerMessages.tsRequestWithToken(challenge));
        s.getOutputStream().flush();
        drain(s.getInputStream());
      }
      case CLOSE_AFTER_CLIENT_HELLO -> {
        out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0x1F, tlsProtocol(offered)));
        // Read the whole ClientHello record: closing with unread data would make Linux send RST instead of FIN.
        readTlsRecord(in);
      }
      case TLS_ALERT -> {
        out.write(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0x1F, tlsProtocol(offered)));
        readTlsRecord(in);
        // A fatal internal_error alert (TLS 1.2 record), what Schannel sends when it cannot build its credential.
        out.write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50});
        out.flush();
      }
      default -> throw new IllegalStateException("mode " + b.mode() + " is a port state, not a connection");
    }
    out.flush();
  }

  /** HYBRID_EX if offered (as Windows does), else HYBRID, else 0 (the client did not offer NLA). */
  private static int nlaProtocol(int offered) {
    if ((offered & 0x08) != 0) {
      return 0x08;
    }
    return (offered & 0x02) != 0 ? 0x02 : 0;
  }

  private static int tlsProtocol(int offered) {
    int nla = nlaProtocol(offered);
    return nla != 0 ? nla : 0x01;
  }

  private SSLSocket startTls(Socket client, RdpBehaviour b) throws IOException,
      java.security.GeneralSecurityException {
    SSLSocket s = (SSLSocket) tls.contextFor(b.certificateDer(), b.privateKeyPkcs8()).getSocketFactory()
        .createSocket(client, null, true);
    s.setUseClientMode(false);
    s.startHandshake();
    return s;
  }

  /** Reads one TLS record (5-byte header, then its length). */
  private static void readTlsRecord(InputStream in) throws IOException {
    byte[] header = in.readNBytes(5);
    if (header.length == 5) {
      in.readNBytes(((header[3] & 0xFF) << 8) | (header[4] & 0xFF));
    }
  }

  /** Reads and discards until the client closes (or the idle limit). */
  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[4096];
    while (in.read(buf) >= 0) {
      // discard
    }
  }

  private void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      // close() interrupts to stop the loop promptly; the loop re-checks `closed`.
    }
  }

  private static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Already closed.
    }
    closeQuietly(s);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Nothing useful to do when closing fails.
      }
    }
  }
}
