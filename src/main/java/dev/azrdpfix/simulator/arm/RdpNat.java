package dev.azrdpfix.simulator.arm;

import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
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
  private final Clock clock;
  private boolean closed;

  /** Each listener asks the simulation, at {@code clock}'s time, how its VM answers. */
  public RdpNat(Simulation sim, StateStore store, RdpListenerFactory factory, Clock clock) {
    this.clock = clock;
    this.sim = sim;
    this.store = store;
    this.factory = factory;
  }

  /**
   * The loopback address for {@code ip:port}, or null when the IP is not a simulated VM's. A simulated VM's IP on
   * any port other than RDP, or a Linux VM's, leads to a listener that drops packets, as their NSGs do.
   */
  public synchronized InetSocketAddress address(String ip, int port) {
    if (ip == null || closed) {
      return null;
    }
    String normalized = ip.trim();
    Catalogue.Vm vm = sim.catalogue().vmByIp(normalized).orElse(null);
    if (vm == null) {
      return null;
    }
    RdpListenerFactory.Listener listener;
    if (!vm.windows() || port != Catalogue.RDP_PORT) {
      listener = listeners.computeIfAbsent("#dark", k -> factory.open(
          () -> new RdpBehaviour(RdpBehaviour.Mode.BLACKHOLE, null, null, Duration.ZERO, vm.name())));
    } else {
      boolean publicPath = normalized.equals(vm.publicIp());
      // The public path of a VM whose subnet NSG blocks RDP gets its own listener; the private path stays usable.
      String key = vm.key() + (publicPath && vm.publicPathBlocked() ? "#public" : "");
      listener = listeners.computeIfAbsent(key, k -> factory.open(
          () -> store.transact(s -> {
            Instant now = clock.instant();
            sim.settle(s, now);
            return sim.rdpBehaviour(s, vm, publicPath, now);
          })));
    }
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
