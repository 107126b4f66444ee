package dev.azrdpfix.simulator;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;

/**
 * The simulated Azure behind {@code --simulate}: an ARM simulator over HTTPS on loopback plus one fake RDP listener
 * per simulated VM. The product reaches it only through its real Azure SDK and probe code paths.
 */
public final class SimulatedAzure implements AutoCloseable {

  /** Options: where state lives, how slow operations are, which faults to inject. */
  public record Options(Path stateFile, String latencyProfile, String faults, int port) {}

  public static SimulatedAzure start(Options options) {
    throw new UnsupportedOperationException("simulator not built yet");
  }

  /** {@code https://127.0.0.1:PORT/} */
  public URI armEndpoint() {
    throw new UnsupportedOperationException();
  }

  public String subscriptionId() {
    throw new UnsupportedOperationException();
  }

  public String tenantId() {
    throw new UnsupportedOperationException();
  }

  /** The bearer token the simulator accepts (not a secret: valid only for this loopback simulator). */
  public String accessToken() {
    throw new UnsupportedOperationException();
  }

  /** Trust store holding exactly the simulator's TLS certificate. */
  public KeyStore trustStore() {
    throw new UnsupportedOperationException();
  }

  /**
   * Maps a simulated VM's public or private IP and RDP port to the loopback address of its fake listener, like a NAT.
   * Returns null for any address the simulator does not own, so nothing ever leaves loopback.
   */
  public InetSocketAddress rdpAddress(String ip, int port) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
