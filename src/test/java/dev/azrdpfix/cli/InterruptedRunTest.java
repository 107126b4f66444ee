package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Ctrl-C before the repair bundle, during it, during the restart and during verification, against the simulated
 * Azure. What is exercised: the shutdown hook the command installs (the very Runnable, taken from the command instead
 * of the JVM, see {@link RunSupport#HOOKS}) runs at that moment, as the JVM runs it on Ctrl-C; then the run thread is
 * frozen on the spot, as the JVM's halt would stop it: no later code of the run executes while the test reads the
 * report and goes on with the VM (the frozen thread is let go, and ends, after the test). Not exercised: the JVM's own signal handling. Each test then reads the saved report and checks
 * it against what the simulated VM did.
 */
@Execution(ExecutionMode.CONCURRENT)
class InterruptedRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;

  /** Stands for the JVM halting after its shutdown hooks ran. */
  static final class Halted extends Error {
    Halted() {
      super("halted after Ctrl-C", null, false, false);
    }
  }

  /**
   * stderr that presses Ctrl-C when the {@code nth} line matching {@code trigger} is printed: it runs the installed
   * hook on the printing thread (the run's), then freezes that thread as the JVM's halt would, until the test ends.
   */
  static final class CtrlCOn extends Writer {
    private final StringBuilder text = new StringBuilder();
    private final Pattern trigger;
    private final int nth;
    private final List<Thread> hooks;
    final CountDownLatch fired = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private boolean triggered;

    CtrlCOn(Pattern trigger, int nth, List<Thread> hooks) {
      this.trigger = trigger;
      this.nth = nth;
      this.hooks = hooks;
    }

    // Not this object's monitor: PrintWriter locks the Writer it wraps, and the frozen run thread keeps that lock.
    private final Object lock = new Object();

    @Override
    public void write(char[] buf, int off, int len) {
      synchronized (lock) {
        text.append(buf, off, len);
        if (triggered || hooks.isEmpty()) {
          return;
        }
        Matcher m = trigger.matcher(text);
        int count = 0;
        while (m.find()) {
          count++;
        }
        if (count < nth) {
          return;
        }
        triggered = true;
        hooks.get(hooks.size() - 1).run(); // the installed hook, as the JVM runs it on Ctrl-C
        fired.countDown();
      }
      try {
        release.await(); // halted: no later code of the run executes while the test looks
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new Halted();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    String text() {
      synchronized (lock) {
        return text.toString();
      }
    }
  }

  record Interrupted(JsonNode report, String err) {}

  private Thread frozen;
  private CtrlCOn frozenErr;

  /** Lets the frozen run thread end (it throws {@link Halted}) before the test's folder is deleted. */
  @AfterEach
  void unfreeze() throws InterruptedException {
    if (frozen != null) {
      frozenErr.release.countDown();
      frozen.join(30_000);
    }
  }

  Interrupted repairInterruptedOn(String trigger, int nth) throws Exception {
    List<Thread> hooks = new ArrayList<>();
    CtrlCOn err = new CtrlCOn(Pattern.compile(trigger), nth, hooks);
    Path reportFile = home.resolve("out/report.json");
    String[] args = {"repair", "web-01", "--yes", "--restart", "always", "--verbose", "--probe-timeout", "2s",
        "--probe-wait", "20s",
        "--report", reportFile.toString(), "--simulate", "--sim-latency", "fast/4"};
    Environment env = Environment.of(Map.of("AZRDPFIX_CACHE_DIR", home.resolve("cache").toString()), home)
        .withTime(CliRun.time(home), CliRun.time(home));
    Thread run = new Thread(() -> {
      RunSupport.HOOKS.set(new RunSupport.ShutdownHooks() {
        @Override
        public void add(Thread hook) {
          hooks.add(hook);
        }

        @Override
        public void remove(Thread hook) {
          // after Ctrl-C the JVM does not remove hooks: nothing to do
        }
      });
      try {
        Cli.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err), env);
      } catch (Halted expected) {
        // the end of a halted run
      }
    }, "interrupted-run");
    run.setDaemon(true);
    frozen = run;
    frozenErr = err;
    run.start();
    while (!err.fired.await(100, TimeUnit.MILLISECONDS)) {
      assertTrue(run.isAlive(), () -> "never interrupted:\n" + err.text());
    }
    assertTrue(Files.exists(reportFile), err::text);
    return new Interrupted(JSON.readTree(reportFile.toFile()), err.text());
  }

  CliRun.Result azrdpfix(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    return CliRun.run(Map.of(), home, all.toArray(String[]::new));
  }

  static JsonNode lastOperation(JsonNode report) {
    JsonNode ops = report.path("operations");
    return ops.get(ops.size() - 1);
  }

  /** The guest's journal of this run, from the simulated VM's state. */
  String guestJournal(String runId) throws Exception {
    JsonNode state = JSON.readTree(home.resolve("cache/simulator/state.json").toFile());
    JsonNode files = state.path("vms").path("rg-prod/web-01").path("guest").path("files");
    StringBuilder b = new StringBuilder();
    files.fields().forEachRemaining(f -> {
      if (f.getKey().endsWith("\\" + runId + "\\journal.jsonl")) {
        b.append(f.getValue().asText());
      }
    });
    return b.toString();
  }

  @Test
  void before_the_bundle_nothing_changed_and_the_report_says_so() throws Exception {
    Interrupted i = repairInterruptedOn("operation run-command: diagnose", 1);
    JsonNode r = i.report();
    assertEquals(130, r.path("exit").path("code").asInt());
    assertEquals("interrupted", lastOperation(r).path("result").asText());
    assertFalse(r.path("changesUnknown").asBoolean());
    assertTrue(r.path("changes").isEmpty());
    assertTrue(r.path("undoCommand").isNull(), "nothing to undo");
    assertEquals("", guestJournal(r.path("runId").asText()));
    assertTrue(i.err().contains("interrupted during run " + r.path("runId").asText()), i.err());
    // The VM has no record of a run that changed nothing.
    CliRun.Result list = azrdpfix("rollback", "web-01", "--list").expectExit(0);
    assertFalse(list.out().contains(r.path("runId").asText()), list::toString);
    azrdpfix("inspect", "web-01").expectExit(5); // still broken, untouched
  }

  @Test
  void during_the_bundle_the_outcome_is_unknown_with_the_script_hash_and_the_undo_works() throws Exception {
    // The second Run Command is the bundle; Ctrl-C once Azure accepted it.
    Interrupted i = repairInterruptedOn("ARM POST \\S+/runCommand -> 202", 2);
    JsonNode r = i.report();
    String runId = r.path("runId").asText();
    assertEquals(130, r.path("exit").path("code").asInt());
    JsonNode bundle = lastOperation(r);
    assertTrue(bundle.path("purpose").asText().startsWith("repair bundle"), bundle.toString());
    assertEquals("sent, outcome unknown: interrupted while it ran", bundle.path("result").asText());
    assertEquals(r.path("scripts").get(0).path("sha256").asText(), bundle.path("sha256").asText(),
        "the hash of the script that was sent");
    assertTrue(r.path("changesUnknown").asBoolean(), r.toPrettyString());
    String undo = "azrdpfix rollback rg-prod/web-01 --run " + runId + " --simulate";
    assertEquals(undo, r.path("undoCommand").asText());
    assertTrue(r.path("findOutCommand").asText().contains("azrdpfix rollback rg-prod/web-01 --list --simulate"));
    assertTrue(i.err().contains("outcome is unknown") && i.err().contains(undo), i.err());
    String md = Files.readString(home.resolve("out/report.md"));
    assertTrue(md.contains("**Unknown**") && !md.contains("## Changes on the VM\n\nNone."), md);

    // On Azure the Run Command goes on after the client left: here the accepted operation finishes, and changed
    // the guest; the run id in the report undoes it.
    CliRun.time(home).advance(Duration.ofMinutes(5));
    azrdpfix("inspect", "web-01").expectExit(0);
    assertFalse(guestJournal(runId).isEmpty(), "the bundle did run on the VM");
    CliRun.Result list = azrdpfix("rollback", "web-01", "--list").expectExit(0);
    assertTrue(list.out().contains(runId), list::toString);
    azrdpfix("rollback", "web-01", "--run", runId, "--yes").expectExit(0);
    azrdpfix("inspect", "web-01").expectExit(5);
  }

  @Test
  void during_the_restart_the_changes_are_listed_and_the_restart_is_unknown() throws Exception {
    Interrupted i = repairInterruptedOn("ARM POST \\S+/restart -> 202", 1);
    JsonNode r = i.report();
    assertEquals(130, r.path("exit").path("code").asInt());
    assertEquals("restart", lastOperation(r).path("kind").asText());
    assertTrue(lastOperation(r).path("result").asText().startsWith("sent, outcome unknown"));
    assertFalse(r.path("changes").isEmpty(), "the bundle's changes are recorded");
    assertTrue(r.path("changesUnknown").asBoolean());
    assertFalse(guestJournal(r.path("runId").asText()).isEmpty());
    assertNotNull(r.path("undoCommand").textValue());
    assertTrue(i.err().contains(r.path("undoCommand").asText()), i.err());
    // Once the VM is back, it says which run changed it, and rollback without --run undoes that one.
    CliRun.time(home).advance(Duration.ofMinutes(5));
    String runId = r.path("runId").asText();
    CliRun.Result list = azrdpfix("rollback", "web-01", "--list").expectExit(0);
    assertTrue(list.out().contains(runId), list::toString);
    CliRun.Result undone = azrdpfix("rollback", "web-01", "--yes").expectExit(0);
    assertTrue(undone.out().contains(runId), undone::toString);
    azrdpfix("inspect", "web-01").expectExit(5);
  }

  @Test
  void during_verification_the_changes_are_listed_and_known() throws Exception {
    Interrupted i = repairInterruptedOn("operation run-command: verify", 1);
    JsonNode r = i.report();
    assertEquals(130, r.path("exit").path("code").asInt());
    assertEquals("interrupted", lastOperation(r).path("result").asText(), "a read-only script");
    assertFalse(r.path("changes").isEmpty());
    assertFalse(r.path("changesUnknown").asBoolean(), "the restart ended before");
    assertNull(r.path("findOutCommand").textValue());
    String undo = r.path("undoCommand").asText();
    assertTrue(undo.startsWith("azrdpfix rollback rg-prod/web-01 --run "), r.toPrettyString());
    assertTrue(i.err().contains(undo), i.err());
    CliRun.Result list = azrdpfix("rollback", "web-01", "--list").expectExit(0);
    assertTrue(list.out().contains(r.path("runId").asText() + "  complete"), list::toString);
    azrdpfix("rollback", "web-01", "--run", r.path("runId").asText(), "--yes").expectExit(0);
    azrdpfix("inspect", "web-01").expectExit(5);
  }
}
