package dev.azrdpfix.simulator;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.simulator.arm.ArmServer;
import dev.azrdpfix.simulator.arm.Catalogue;
import dev.azrdpfix.simulator.arm.FaultPlan;
import dev.azrdpfix.simulator.arm.GuestFactory;
import dev.azrdpfix.simulator.arm.LatencyProfile;
import dev.azrdpfix.simulator.arm.RdpListenerFactory;
import dev.azrdpfix.simulator.arm.RdpNat;
import dev.azrdpfix.simulator.arm.Simulation;
import dev.azrdpfix.simulator.arm.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The simulated Azure behind {@code --simulate}: an ARM simulator over HTTPS on loopback plus one fake RDP listener
 * per simulated VM. The product reaches it only through its real Azure SDK and probe code paths.
 *
 * <p>{@link Options#latencyProfile()}: {@code fast} (default; Run Command 1 s, restart 2 s, agent Ready 1 s after
 * boot, {@code Retry-After: 1}) or {@code realistic} (Run Command 20-30 s, restart 45 s, agent Ready 30 s after boot,
 * {@code Retry-After: 10}), optionally {@code /N} to divide all durations by N, e.g. {@code realistic/10}.
 *
 * <p>{@link Options#faults()}: comma-separated items, each {@code STATUS:ROUTE[:COUNT]} (the first COUNT requests to
 * ROUTE get that 4xx/5xx ARM error; 429 and 503 carry {@code Retry-After: 1}), {@code reset:ROUTE[:COUNT]} (the
 * connection is closed without a response), {@code accept-reset:ACTION[:COUNT]} (the POST is carried out, then the
 * connection is closed without a response), {@code accept-fail-polls:ACTION[:COUNT]} (the POST is carried out and
 * answered, then every status poll of its operation answers 500) or {@code latency:Nms} / {@code latency:Ns} (added
 * to every request). ACTION is {@code *} or one of runcommand, restart, start, poweroff, deallocate, reapply. ROUTE or
 * ACTION may end in {@code @N}: the fault starts at the Nth matching request ({@code 500:runcommand@2}).
 * ROUTE is {@code *} or one of vm-get, vm-list, instanceview, runcommand, restart, start, poweroff, deallocate,
 * reapply, operation, nic-get, nsg-get, nsg-list, pip-get, subnet-get, vnet-get, asg-get. Example:
 * {@code 429:vm-get:1,reset:nic-get:1,latency:150ms}. An invalid spec is a one-line usage error. Details in
 * {@link FaultPlan}; the inventory is {@link Catalogue}.
 *
 * <p>State (power states, operations with end times, guests) lives in {@link Options#stateFile()} (null: memory
 * only), so successive invocations see one consistent subscription; operations finish by {@link Options#clock()}
 * (the wall clock in production).
 */
public final class SimulatedAzure implements AutoCloseable {
  private static final String KEYSTORE = "/dev/azrdpfix/simulator/simulator-tls.p12";
  private static final char[] KEYSTORE_PASSWORD = "azrdpfix-simulator".toCharArray();
  private static final String ALIAS = "simulator";

  /**
   * Options: where state lives, how slow operations are, which faults to inject, on which port to listen, and the
   * simulated time: operations end, agents get ready and RDP listeners change behaviour by {@code clock}; injected
   * latency waits through {@code sleeper}. Production uses the system clock and real sleeping; tests pass virtual
   * time shared with the client, so a restart "takes" 2 s without anyone waiting for it.
   */
  public record Options(Path stateFile, String latencyProfile, String faults, int port, Clock clock,
      Sleeper sleeper) {
    /** Real time. */
    public Options(Path stateFile, String latencyProfile, String faults, int port) {
      this(stateFile, latencyProfile, faults, port, Clock.systemUTC(), Sleeper.REAL);
    }

    /** The same options in another time source. */
    public Options withTime(Clock clock, Sleeper sleeper) {
      return new Options(stateFile, latencyProfile, faults, port, clock, sleeper);
    }
  }

  private final ArmServer arm;
  private final RdpNat nat;
  private final Certificate certificate;
  private final String token;
  private final CountDownLatch closed = new CountDownLatch(1);

  private SimulatedAzure(ArmServer arm, RdpNat nat, Certificate certificate, String token) {
    this.arm = arm;
    this.nat = nat;
    this.certificate = certificate;
    this.token = token;
  }

  /**
   * Starts the simulator and returns once it listens. Invalid latency or fault specs throw
   * {@code AzrdpfixException(USAGE)}; an unreadable state file throws {@code AzrdpfixException(PRECONDITION)}.
   */
  public static SimulatedAzure start(Options options) {
    SimulatedAzure started = start(options, GuestFactory.CATALOG, RdpListenerFactory.FAKE_RDP_SERVER);
    java.util.function.Consumer<SimulatedAzure> observer = STARTS_ON_THIS_THREAD.get();
    if (observer != null) {
      observer.accept(started);
    }
    return started;
  }

  private static final ThreadLocal<java.util.function.Consumer<SimulatedAzure>> STARTS_ON_THIS_THREAD =
      new ThreadLocal<>();

  /**
   * For tests that run the CLI in-process: {@code observer} (null: none) sees each simulated Azure this thread
   * starts, so the test can read its request log ({@link #requests()}, kept after close) once the command returned.
   */
  public static void observeStartsOnThisThread(java.util.function.Consumer<SimulatedAzure> observer) {
    if (observer == null) {
      STARTS_ON_THIS_THREAD.remove();
    } else {
      STARTS_ON_THIS_THREAD.set(observer);
    }
  }

  /** Starts with the given guest and listener seams (tests use fakes). */
  static SimulatedAzure start(Options options, GuestFactory guests, RdpListenerFactory listeners) {
    LatencyProfile latency = LatencyProfile.parse(options.latencyProfile());
    FaultPlan faults = FaultPlan.parse(options.faults());
    // TLS set-up (keystore decryption, JSSE class loading) is the slow part of a cold start: overlap it with the
    // state file load.
    CompletableFuture<KeyStore> keyStore = CompletableFuture.supplyAsync(SimulatedAzure::loadKeyStore);
    Catalogue catalogue = Catalogue.standard();
    Simulation sim = new Simulation(catalogue, latency, guests);
    StateStore store = new StateStore(options.stateFile(), catalogue);
    store.transact(s -> {
      sim.settle(s, options.clock().instant());
      return null;
    });
    String token = "azrdpfix-sim." + HexFormat.of().formatHex(randomBytes());
    try {
      KeyStore ks = keyStore.join();
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, KEYSTORE_PASSWORD);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
      ArmServer arm = new ArmServer(sim, store, faults, ssl, options.port(), token, options.clock(),
          options.sleeper());
      return new SimulatedAzure(arm, new RdpNat(sim, store, listeners, options.clock()), ks.getCertificate(ALIAS),
          token);
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.USAGE, "Simulated Azure could not listen on 127.0.0.1"
          + (options.port() > 0 ? ":" + options.port() : "") + ": " + e.getMessage()
          + ". Choose another --port or free it.", e);
    } catch (GeneralSecurityException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "Simulated Azure TLS setup failed: " + e.getMessage(), e);
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static KeyStore loadKeyStore() {
    try (InputStream in = SimulatedAzure.class.getResourceAsStream(KEYSTORE)) {
      if (in == null) {
        throw new IOException("resource " + KEYSTORE + " missing");
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, KEYSTORE_PASSWORD);
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "Simulated Azure TLS identity could not be loaded: "
          + e.getMessage(), e);
    }
  }

  /** Deletes the state file so the next start begins from the catalogue. */
  public static void reset(Path stateFile) {
    StateStore.delete(stateFile);
  }

  /** {@code https://127.0.0.1:PORT/} */
  public URI armEndpoint() {
    return arm.endpoint();
  }

  public String subscriptionId() {
    return Catalogue.SUBSCRIPTION;
  }

  /** The simulated subscription's id (also without a running simulator, e.g. to forget its reports). */
  public static final String SUBSCRIPTION = Catalogue.SUBSCRIPTION;

  public String tenantId() {
    return Catalogue.TENANT;
  }

  /** The bearer token the simulator accepts (not a secret: valid only for this loopback simulator). */
  public String accessToken() {
    return token;
  }

  /** Trust store holding exactly the simulator's TLS certificate. */
  public KeyStore trustStore() {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry(ALIAS, certificate);
      return ts;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("in-memory trust store", e);
    }
  }

  /** The simulator's TLS certificate as PEM, for clients outside this JVM. */
  public String certificatePem() {
    try {
      String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(certificate.getEncoded());
      return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("certificate encoding", e);
    }
  }

  /**
   * Maps a simulated VM's public or private IP and RDP port to the loopback address of its fake listener, like a NAT.
   * Returns null for any address the simulator does not own, so nothing ever leaves loopback. Other ports of a
   * simulated VM, and Linux VMs, map to a listener that drops packets (their NSGs do). Listeners open on first use.
   */
  public InetSocketAddress rdpAddress(String ip, int port) {
    return nat.address(ip, port);
  }

  /** The ARM requests served so far, in arrival order. */
  public List<ServedRequest> requests() {
    return arm.requests();
  }

  /**
   * For {@code azrdpfix simulator serve}: writes the CA certificate next to {@code certificateFile} and prints the
   * endpoint, subscription, tenant, token and certificate so that other clients can connect.
   */
  public void printConnectionInfo(PrintStream out, Path certificateFile) {
    try {
      Files.createDirectories(certificateFile.toAbsolutePath().getParent());
      Files.writeString(certificateFile, certificatePem(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.USAGE, "Could not write the simulator certificate to " + certificateFile
          + ": " + e.getMessage() + ". Choose a writable path.", e);
    }
    out.println("Simulated Azure Resource Manager: " + armEndpoint());
    out.println("  subscription: " + subscriptionId());
    out.println("  tenant:       " + tenantId());
    out.println("  send header:  Authorization: Bearer " + accessToken()
        + "   (loopback test token, valid only for this simulator)");
    out.println("  api-versions: compute " + ArmServer.COMPUTE_API + ", network " + ArmServer.NETWORK_API);
    out.println("  trust CA:     " + certificateFile.toAbsolutePath() + " (SAN localhost, 127.0.0.1, ::1)");
    out.print(certificatePem());
  }

  /**
   * The value of {@code AZRDPFIX_RDP_MAP} for a client of {@code simulator serve}: each Windows VM's public
   * {@code IP:3389} and the loopback listener behind it, comma-separated. Opens the listeners.
   */
  public String rdpMap() {
    List<String> entries = new java.util.ArrayList<>();
    for (Catalogue.Vm vm : Catalogue.standard().vms()) {
      if (vm.windows() && vm.publicIp() != null) {
        InetSocketAddress a = rdpAddress(vm.publicIp(), Catalogue.RDP_PORT);
        entries.add(vm.publicIp() + ":" + Catalogue.RDP_PORT + "=" + a.getHostString() + ":" + a.getPort());
      }
    }
    return String.join(",", entries);
  }

  /**
   * For {@code azrdpfix simulator serve}: the loopback address behind each Windows VM's public RDP endpoint, so other
   * clients (and the probe benchmark) can reach the fake listeners. Opens the listeners.
   */
  public void printRdpListeners(PrintStream out) {
    out.println("RDP listeners (the VM's public IP:3389 as seen from outside, served on loopback):");
    for (Catalogue.Vm vm : Catalogue.standard().vms()) {
      if (vm.windows() && vm.publicIp() != null) {
        InetSocketAddress a = rdpAddress(vm.publicIp(), Catalogue.RDP_PORT);
        out.println("  " + vm.resourceGroup() + "/" + vm.name() + " " + vm.publicIp() + ":" + Catalogue.RDP_PORT
            + " -> " + a.getHostString() + ":" + a.getPort());
      }
    }
  }

  /** Blocks until {@link #close()} is called (from another thread or a shutdown hook). */
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    try {
      nat.close();
      arm.close();
    } finally {
      closed.countDown();
    }
  }
}
