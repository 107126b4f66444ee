package dev.azrdpfix.simulator.rdp;

import java.util.function.Supplier;

/**
 * A loopback RDP listener that plays an {@link RdpBehaviour} over a real socket, asking the supplier on every
 * connection so it follows the simulated VM's current state. Used by the simulated Azure and by the probe tests.
 */
public final class FakeRdpServer implements AutoCloseable {
  private final Supplier<RdpBehaviour> behaviour;

  /** Binds 127.0.0.1 on an ephemeral port and starts accepting. */
  public FakeRdpServer(Supplier<RdpBehaviour> behaviour) {
    this.behaviour = behaviour;
    throw new UnsupportedOperationException("fake RDP server not built yet");
  }

  /** The bound loopback port. */
  public int port() {
    throw new UnsupportedOperationException("fake RDP server not built yet");
  }

  @Override
  public void close() {}
}
