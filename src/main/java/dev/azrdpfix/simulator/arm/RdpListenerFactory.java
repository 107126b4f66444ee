package dev.azrdpfix.simulator.arm;

import dev.azrdpfix.simulator.rdp.FakeRdpServer;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.util.function.Supplier;

/** Opens the loopback RDP listener of a simulated VM; a seam so tests can run without the real fake RDP server. */
public interface RdpListenerFactory {

  /** A bound loopback listener. */
  interface Listener extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  Listener open(Supplier<RdpBehaviour> behaviour);

  /** The real {@link FakeRdpServer}. */
  RdpListenerFactory FAKE_RDP_SERVER = behaviour -> {
    FakeRdpServer server = new FakeRdpServer(behaviour);
    return new Listener() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  };
}
