package dev.azrdpfix.core.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.fakes.TestClock;
import dev.azrdpfix.core.port.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunJournalTest {
  final TestClock clock = new TestClock(Instant.parse("2026-11-23T05:00:00Z"));
  final RunJournal journal = RunJournal.start(RunMode.REPAIR, null, clock, Progress.NONE);

  @Test
  void each_operation_is_recorded_with_its_times_and_how_it_ended() {
    journal.record(OperationKind.RESTART, "apply", () -> clock.advance(Duration.ofSeconds(40)));
    AzrdpfixException boom = AzrdpfixException.precondition("busy");
    assertSame(boom, assertThrows(AzrdpfixException.class,
        () -> journal.record(OperationKind.RUN_COMMAND, "bundle", () -> {
          throw boom;
        })));
    List<Operation> ops = journal.operations();
    assertEquals(Duration.ofSeconds(40), Duration.between(ops.get(0).started(), ops.get(0).ended()));
    assertEquals("ok", ops.get(0).result());
    assertNull(ops.get(0).sha256());
    assertEquals(Operation.Outcome.FAILED, ops.get(1).outcome());
    assertEquals("failed: busy", ops.get(1).result());
  }

  @Test
  void the_interrupted_report_becomes_the_final_one_once_the_run_ends() {
    RepairReport partial = journal.interruptedReport();
    assertEquals(ExitCode.INTERRUPTED, partial.exitCode());
    assertEquals(journal.runId(), partial.runId());
    RepairReport done = journal.finish(ExitCode.OK, "done");
    assertSame(done, journal.interruptedReport());
    assertEquals(RunMode.REPAIR, done.mode());
  }
}
