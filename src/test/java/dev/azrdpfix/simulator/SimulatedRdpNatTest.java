package dev.azrdpfix.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.compute.models.PowerState;
import dev.azrdpfix.simulator.arm.RdpListenerFactory;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.testing.VirtualTime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NAT from simulated VM addresses to loopback RDP listeners, and what those listeners are told to play. */
class SimulatedRdpNatTest {
  @TempDir
  Path dir;
  private final FakeGuests guests = new FakeGuests();
  private final Recording listeners = new Recording();
  private SimulatedAzure sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
    listeners.sockets.forEach(s -> {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a test socket
      }
    });
  }

  /** Opens a plain loopback server socket per listener and keeps each behaviour supplier for inspection. */
  static final class Recording implements RdpListenerFactory {
    final List<Supplier<RdpBehaviour>> suppliers = new ArrayList<>();
    final List<ServerSocket> sockets = new ArrayList<>();

    @Override
    public Listener open(Supplier<RdpBehaviour> behaviour) {
      try {
        ServerSocket s = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        sockets.add(s);
        suppliers.add(behaviour);
        return new Listener() {
          @Override
          public int port() {
            return s.getLocalPort();
          }

          @Override
          public void close() {
            try {
              s.close();
            } catch (IOException ignored) {
              // best effort
            }
          }
        };
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final VirtualTime time = new VirtualTime();

  private SimulatedAzure start(RdpListenerFactory factory) {
    sim = SimulatedAzure.start(new SimulatedAzure.Options(dir.resolve("state.json"), "fast/4", null, 0)
        .withTime(time, time), guests, factory);
    return sim;
  }

  @Test
  void mapsPublicAndPrivateIpsOfWindowsVmsToLoopbackOnly() throws Exception {
    start(listeners);
    InetSocketAddress web = sim.rdpAddress("203.0.113.10", 3389);
    assertNotNull(web);
    assertEquals("127.0.0.1", web.getAddress().getHostAddress());
    assertEquals(web, sim.rdpAddress("10.10.1.4", 3389), "public and private IP reach the same listener");
    assertEquals(1, listeners.suppliers.size(), "listeners open lazily, one per VM");
    try (Socket s = new Socket()) {
      s.connect(web, 1000);
    }
    assertNull(sim.rdpAddress("203.0.113.200", 3389), "an address the simulator does not own");
    assertNull(sim.rdpAddress("8.8.8.8", 3389));
    assertNull(sim.rdpAddress(sim.rdpAddress("10.10.1.4", 3389).getAddress().getHostAddress(), 3389));
    assertEquals(Mode.HEALTHY_NLA, listeners.suppliers.get(0).get().mode(), "a running VM plays its guest");
  }

  @Test
  void otherPortsAndLinuxVmsDropPackets() {
    start(listeners);
    assertNotNull(sim.rdpAddress("203.0.113.23", 3389));
    assertEquals(Mode.BLACKHOLE, last().get().mode(), "Linux VM: the NSG admits only SSH");
    assertNotNull(sim.rdpAddress("203.0.113.10", 22));
    assertEquals(Mode.BLACKHOLE, last().get().mode(), "only RDP is served on a Windows VM");
  }

  @Test
  void notRunningVmsAndNsgBlockedPublicPathDropPackets() {
    start(listeners);
    InetSocketAddress deallocated = sim.rdpAddress("203.0.113.22", 3389);
    assertNotNull(deallocated);
    assertEquals(Mode.BLACKHOLE, last().get().mode(), "a deallocated VM's IP does not answer");

    InetSocketAddress blockedPublic = sim.rdpAddress("203.0.113.20", 3389);
    Supplier<RdpBehaviour> publicPath = last();
    InetSocketAddress blockedPrivate = sim.rdpAddress("10.10.2.4", 3389);
    Supplier<RdpBehaviour> privatePath = last();
    assertTrue(blockedPublic.getPort() != blockedPrivate.getPort());
    assertEquals(Mode.BLACKHOLE, publicPath.get().mode(), "the subnet NSG drops RDP from the internet");
    assertEquals(Mode.HEALTHY_NLA, privatePath.get().mode());
  }

  @Test
  void listenerFollowsPowerStateThroughARestart() throws Exception {
    start(listeners);
    sim.rdpAddress("203.0.113.11", 3389);
    Supplier<RdpBehaviour> healthy = last();
    assertEquals(Mode.HEALTHY_NLA, healthy.get().mode());
    SdkHarness sdk = new SdkHarness(sim, time);
    var poller = sdk.compute.serviceClient().getVirtualMachines().beginRestart("rg-prod", "healthy-01");
    assertEquals(Mode.BLACKHOLE, healthy.get().mode(), "a booting VM does not answer yet");
    poller.waitForCompletion(java.time.Duration.ofSeconds(10));
    assertEquals(Mode.HEALTHY_NLA, healthy.get().mode());
    guests.latest.get("healthy-01").mode = Mode.REFUSED;
    assertEquals(Mode.REFUSED, healthy.get().mode(), "asked again on every connection");
  }

  @Test
  void realFakeRdpServerRefusesAndTimesOutLikeAzure() throws Exception {
    start(RdpListenerFactory.FAKE_RDP_SERVER);
    SdkHarness sdk = new SdkHarness(sim, time);
    // Materialise private-01's guest through ARM, then make its listener refuse.
    sdk.compute.virtualMachines().runPowerShellScript("rg-prod", "private-01", List.of("Write-Output 1"), List.of());
    guests.latest.get("private-01").mode = Mode.REFUSED;
    InetSocketAddress refused = sim.rdpAddress("10.10.1.18", 3389);
    assertNotNull(refused);
    Thread.sleep(300); // the server polls its behaviour to open or close the port
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(refused, 2000);
      }
    });

    assertEquals(PowerState.DEALLOCATED,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "deallocated-01").powerState());
    InetSocketAddress dark = sim.rdpAddress("203.0.113.22", 3389);
    Thread.sleep(300);
    assertThrows(SocketTimeoutException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(dark, 300); // dropped packets never answer: a short timeout proves it as well as a long one
        s.setSoTimeout(300);
        s.getInputStream().read(); // if SYNs are not dropped, nothing answers either
      }
    });
  }

  private Supplier<RdpBehaviour> last() {
    return listeners.suppliers.get(listeners.suppliers.size() - 1);
  }
}
