package dev.azrdpfix.simulator.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The latency profile and fault spec grammars that tests, benchmarks and {@code --sim-faults} use. */
class LatencyAndFaultSpecTest {

  @Test
  void profilesAndTimeScale() {
    LatencyProfile fast = LatencyProfile.parse(null);
    assertEquals(Duration.ofSeconds(1), fast.runCommand());
    assertEquals(Duration.ofSeconds(2), fast.restart());
    assertEquals(Duration.ofSeconds(1), fast.agentReadyAfterBoot());
    assertEquals(1, fast.retryAfterSeconds());
    LatencyProfile real = LatencyProfile.parse("realistic");
    Duration rc = real.runCommand();
    assertTrue(rc.compareTo(Duration.ofSeconds(20)) >= 0 && rc.compareTo(Duration.ofSeconds(30)) <= 0, rc::toString);
    assertEquals(Duration.ofSeconds(45), real.restart());
    assertEquals(Duration.ofSeconds(30), real.agentReadyAfterBoot());
    LatencyProfile tenth = LatencyProfile.parse("realistic/10");
    assertEquals(Duration.ofMillis(4500), tenth.restart());
    assertEquals(1, tenth.retryAfterSeconds());
    assertEquals(0, LatencyProfile.parse("fast/4").retryAfterSeconds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"slow", "fast/0", "fast/-1", "realistic/x", "fast/"})
  void badProfilesAreUsageErrors(String spec) {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> LatencyProfile.parse(spec));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void faultsAreConsumedInOrderPerRoute() {
    FaultPlan plan = FaultPlan.parse("429:vm-get:2, reset:nic-get, 503:*:1, latency:150ms");
    assertEquals(Duration.ofMillis(150), plan.latency());
    assertEquals(Optional.of(new FaultPlan.Fault(429, "vm-get")), plan.take("vm-get"));
    assertEquals(Optional.of(new FaultPlan.Fault(429, "vm-get")), plan.take("vm-get"));
    assertEquals(Optional.of(new FaultPlan.Fault(503, "*")), plan.take("vm-get"), "then the wildcard");
    assertEquals(Optional.empty(), plan.take("vm-get"));
    assertTrue(plan.take("nic-get").orElseThrow().reset());
    assertEquals(Optional.empty(), plan.take("nic-get"));
    assertEquals(Duration.ofSeconds(2), FaultPlan.parse("latency:2s").latency());
    assertEquals(Duration.ZERO, FaultPlan.parse("  ").latency());
  }

  @Test
  void acceptFaultsHitOnlyPostsAndAtNStartsAtTheNthMatchingRequest() {
    FaultPlan plan = FaultPlan.parse("accept-reset:*, accept-fail-polls:restart, 500:runcommand@2:2");
    assertEquals(Optional.empty(), plan.take("vm-get"), "an accept fault never hits a GET");
    FaultPlan.Fault first = plan.take("runcommand").orElseThrow();
    assertEquals(FaultPlan.Kind.ACCEPT_RESET, first.kind());
    assertTrue(first.accepts() && !first.reset());
    assertEquals(FaultPlan.Kind.ACCEPT_FAIL_POLLS, plan.take("restart").orElseThrow().kind());
    assertEquals(Optional.empty(), plan.take("runcommand"), "the first run command request after the wildcard");
    assertEquals(Optional.of(new FaultPlan.Fault(500, "runcommand")), plan.take("runcommand"), "the second");
    assertEquals(Optional.of(new FaultPlan.Fault(500, "runcommand")), plan.take("runcommand"), "COUNT 2");
    assertEquals(Optional.empty(), plan.take("runcommand"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"accept-reset:vm-get", "accept-fail-polls:operation:1", "500:runcommand@0",
      "429", "429:vm-gett:1", "200:vm-get:1", "reset:*:0", "latency:5", "latency:fast",
      "boom:vm-get:1", "429:vm-get:x"})
  void badFaultsAreOneLineUsageErrors(String spec) {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> FaultPlan.parse(spec));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertFalse(e.getMessage().contains("\n"));
  }
}
