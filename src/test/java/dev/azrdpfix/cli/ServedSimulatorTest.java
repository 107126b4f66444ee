package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.report.FileReportStore;
import dev.azrdpfix.simulator.SimulatedAzure;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client of a served simulator (as {@code simulator serve} runs it) stays on loopback: with the map the banner
 * prints, the probe reaches the VM's loopback listener; without it, nothing is probed off loopback. And the report
 * cache stays tidy.
 */
class ServedSimulatorTest {
  @TempDir
  Path home;
  SimulatedAzure sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  Result client(Map<String, String> extraEnv, String... args) throws Exception {
    if (sim == null) {
      sim = SimulatedAzure.start(new SimulatedAzure.Options(home.resolve("served/state.json"), "fast/4", null, 0));
    }
    Path pem = Files.writeString(home.resolve("served/ca.pem"), sim.certificatePem());
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("AZRDPFIX_ACCESS_TOKEN", sim.accessToken());
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--arm-endpoint", sim.armEndpoint().toString(), "--ca-file", pem.toString(), "--auth",
        "token", "--subscription", sim.subscriptionId()));
    return CliRun.run(env, home, all.toArray(String[]::new));
  }

  @Test
  void with_the_printed_map_the_probe_reaches_the_loopback_listener() throws Exception {
    sim = SimulatedAzure.start(new SimulatedAzure.Options(home.resolve("served/state.json"), "fast/4", null, 0));
    String map = sim.rdpMap();
    assertTrue(map.contains("203.0.113.10:3389=127.0.0.1:"), map);
    Result r = client(Map.of(LoopbackRdp.VARIABLE, map), "repair", "web-01", "--yes", "--output", "json",
        "--probe-wait", "20s").expectExit(0);
    JsonNode v = new ObjectMapper().readTree(r.out()).path("verification");
    assertEquals("203.0.113.10:3389", v.path("probedAddress").asText(), r::toString);
    assertEquals("ok", v.path("probe").path("verdict").asText(), r::toString);
    // The banner's client command is the one this test ran, with the same map.
    String cmd = SimulatorCommand.clientCommand(sim, home.resolve("served/ca.pem"), "repair web-01");
    assertTrue(cmd.contains(LoopbackRdp.VARIABLE + "=" + map + " azrdpfix repair web-01 --arm-endpoint "
        + sim.armEndpoint()) && cmd.contains("--auth token --subscription " + sim.subscriptionId()), cmd);
  }

  @Test
  void without_the_map_nothing_is_probed_off_loopback() throws Exception {
    Result r = client(Map.of(), "repair", "web-01", "--yes", "--output", "json", "--probe-wait", "10s");
    JsonNode v = new ObjectMapper().readTree(r.out()).path("verification");
    assertTrue(v.path("probe").path("summary").asText().startsWith("not probed: the ARM endpoint is on loopback"),
        r::toString);
    assertEquals(0, v.path("probe").path("attempts").asInt(), r::toString);
  }

  @Test
  void a_map_that_points_off_loopback_is_refused_before_any_azure_call() throws Exception {
    Result r = CliRun.run(Map.of(LoopbackRdp.VARIABLE, "203.0.113.10:3389=198.51.100.7:3389"), home, "repair",
        "web-01", "--simulate", "--yes").expectExit(2);
    assertTrue(r.oneLineError().contains("not a loopback address"), r::toString);
  }

  @Test
  void reset_forgets_the_simulated_reports_and_the_cache_keeps_twenty_per_vm() throws Exception {
    Path reports = home.resolve("cache/reports");
    CliRun.run(Map.of(), home, "repair", "web-01", "--simulate", "--dry-run").expectExit(0);
    Path first;
    try (Stream<Path> s = Files.list(reports)) {
      first = s.findFirst().orElseThrow();
    }
    String name = first.getFileName().toString();
    String prefix = name.substring(0, name.indexOf("__") + 2);
    for (int i = 10; i < 35; i++) {
      Files.copy(first, reports.resolve(prefix + "20200101T0000" + i + "Z-old" + i + ".json"));
    }
    Path foreign = Files.writeString(reports.resolve("00000000-0000-0000-0000-000000000001_rg_vm__x.json"), "{}");
    CliRun.run(Map.of(), home, "repair", "web-01", "--simulate", "--dry-run").expectExit(0);
    try (Stream<Path> s = Files.list(reports)) {
      List<String> kept = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
      assertEquals(FileReportStore.KEEP_PER_VM, kept.size(), kept::toString);
      assertTrue(kept.contains(name), "the newest runs are kept");
      assertTrue(!kept.contains(prefix + "20200101T000010Z-old10.json"), "the oldest go first");
    }
    Result reset = CliRun.run(Map.of(), home, "simulator", "reset").expectExit(0);
    assertTrue(reset.out().contains("report(s) of its runs forgotten"), reset::toString);
    try (Stream<Path> s = Files.list(reports)) {
      assertEquals(List.of(foreign.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
