package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.simulator.rdp.FakeRdpServer;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import dev.azrdpfix.simulator.rdp.TestCertificates;
import java.time.Duration;
import java.util.Arrays;

/**
 * Manual checks, not run by CI. {@code ManualProbeMain HOST PORT [THUMBPRINT] [--json]} probes a real server (e.g.
 * xrdp on 127.0.0.1) and prints the text (and JSON); {@code ManualProbeMain --measure N} probes a healthy fake server N
 * times in-process and prints round trips and wall times; {@code ManualProbeMain --serve SECONDS} runs a healthy NLA
 * fake server in this JVM and prints its port, for cold-start measurements from another JVM.
 */
public final class ManualProbeMain {
  private ManualProbeMain() {}

  public static void main(String[] args) throws Exception {
    TlsPolicy.relaxForProbing();
    if (args.length >= 1 && args[0].equals("--measure")) {
      measure(args.length > 1 ? Integer.parseInt(args[1]) : 20);
      return;
    }
    if (args.length >= 2 && args[0].equals("--serve")) {
      try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(RdpBehaviour.Mode.HEALTHY_NLA))) {
        System.out.println(server.port());
        System.out.flush();
        Thread.sleep(Long.parseLong(args[1]) * 1000);
      }
      return;
    }
    boolean json = Arrays.asList(args).contains("--json");
    String[] rest = Arrays.stream(args).filter(a -> !a.equals("--json")).toArray(String[]::new);
    ProbeResult r = new TcpRdpProber().probe(new ProbeRequest(rest[0], Integer.parseInt(rest[1]),
        Duration.ofSeconds(5), Duration.ZERO, rest.length > 2 ? rest[2] : null));
    System.out.print(ProbeText.render(r));
    if (json) {
      System.out.println(ProbeJson.toJson(r));
    }
  }

  private static void measure(int n) {
    long[] millis = new long[n];
    long start = System.nanoTime();
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(RdpBehaviour.Mode.HEALTHY_NLA))) {
      System.out.println("fake server up after " + (System.nanoTime() - start) / 1_000_000 + " ms (cert issued)");
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        ProbeResult r = new TcpRdpProber().probe(new ProbeRequest("127.0.0.1", server.port(), Duration.ofSeconds(5),
            Duration.ZERO, null));
        millis[i] = (System.nanoTime() - t) / 1_000;
        if (i == 0 || i == n - 1) {
          System.out.print(ProbeText.render(r));
        }
        if (!r.ok()) {
          throw new IllegalStateException(r.summary());
        }
      }
      System.out.println("connections accepted: " + server.connectionCount() + " for " + n + " probes");
    }
    long[] warm = Arrays.copyOfRange(millis, 1, n);
    Arrays.sort(warm);
    System.out.printf("first (cold) probe: %.1f ms; warm median: %.1f ms; warm max: %.1f ms%n", millis[0] / 1000.0,
        warm[warm.length / 2] / 1000.0, warm[warm.length - 1] / 1000.0);
  }
}
