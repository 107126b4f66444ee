package dev.azrdpfix.simulator.arm;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a simulated VM's public or private IP and port 3389 to a loopback RDP listener, like a NAT. Listeners are
 * opened on first use; each asks the simulation on every connection how the VM answers right now.
 */
public final class RdpNat implements AutoCloseable {
  private final Simulation sim;
  private final StateStore store;
  private final RdpListenerFactory factory;
  private final Map<String, RdpListenerFactory.Listener> listeners = new LinkedHashMap<>();
  private boolean closed;

  public RdpNat(Simulation sim, StateStore store, RdpListenerFactory factory) {
    this.sim = sim;
    this.store = store;
    this.factory = factory;
  }

  /** The loopback address for {@code ip:port}, or null when the simulator owns no such RDP endpoint. */
  public synchronized InetSocketAddress address(String ip, int port) {
    if (ip == null || port != Catalogue.RDP_PORT || closed) {
      return null;
    }
    String normalized = ip.trim();
    Catalogue.Vm vm = sim.catalogue().vmByIp(normalized).filter(Catalogue.Vm::windows).orElse(null);
    if (vm == null) {
      return null;
    }
    boolean publicPath = normalized.equals(vm.publicIp());
    // The public path of a VM whose subnet NSG blocks RDP gets its own listener, so the private path stays usable.
    String key = vm.key() + (publicPath && vm.publicPathBlocked() ? "#public" : "");
    RdpListenerFactory.Listener listener = listeners.computeIfAbsent(key, k -> factory.open(
        () -> store.transact(s -> {
          Instant now = Instant.now();
          sim.settle(s, now);
          return sim.rdpBehaviour(s, vm, publicPath, now);
        })));
    try {
      return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), listener.port());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    listeners.values().forEach(RdpListenerFactory.Listener::close);
    listeners.clear();
  }
}
