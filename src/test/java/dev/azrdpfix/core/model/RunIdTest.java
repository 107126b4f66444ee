package dev.azrdpfix.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunIdTest {
  @Test
  void a_new_id_carries_the_utc_time_and_six_random_characters() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T05:00:07Z"), ZoneOffset.ofHours(2));
    RunId id = RunId.generate(clock, new Random(1));
    assertTrue(id.value().startsWith("20261123T050007Z-"), id.value());
    assertTrue(RunId.isValid(id.value()));
    assertTrue(RunId.generate(clock).compareTo(RunId.generate(Clock.offset(clock, Duration.ofSeconds(1)))) < 0,
        "ids sort by time");
  }

  @Test
  void a_typed_id_must_match_the_pattern() {
    assertEquals("20261123T050000Z-k3x9q2", RunId.parse("--run", "20261123T050000Z-k3x9q2").value());
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> RunId.parse("--run", "latest; rm -rf"));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("--run 'latest; rm -rf' is not a run id"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RunId("20261123T050000Z-K3X9Q2"));
  }
}
