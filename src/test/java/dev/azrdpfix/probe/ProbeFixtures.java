package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeStage;
import java.time.Duration;
import java.util.List;

/** Shared helpers for probe tests: loopback requests and stage lookups. */
final class ProbeFixtures {
  static final Duration STAGE = Duration.ofSeconds(2);

  private ProbeFixtures() {}

  static ProbeRequest loopback(int port) {
    return new ProbeRequest("127.0.0.1", port, STAGE, Duration.ZERO, null);
  }

  static ProbeRequest loopback(int port, Duration stage) {
    return new ProbeRequest("127.0.0.1", port, stage, Duration.ZERO, null);
  }

  static ProbeResult probe(int port) {
    return new TcpRdpProber().probe(loopback(port));
  }

  static List<String> stageNames(ProbeResult r) {
    return r.stages().stream().map(ProbeStage::name).toList();
  }

  static ProbeStage stage(ProbeResult r, String name) {
    return r.stages().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no stage " + name + " in " + r));
  }

  static ProbeStage last(ProbeResult r) {
    return r.stages().get(r.stages().size() - 1);
  }
}
