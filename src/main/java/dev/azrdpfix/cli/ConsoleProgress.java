package dev.azrdpfix.cli;

import dev.azrdpfix.core.port.Progress;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress on stderr: steps always, details only with --verbose. JSON mode keeps steps too (stderr is not parsed).
 *
 * <p>On a terminal ({@code live}), a long phase (a Run Command, the restart, the wait for the VM and its agent, the
 * probe) shows its elapsed time and what is typical on Azure, redrawn in place once a second with {@code \r}, e.g.
 * {@code Applying 3 step(s) in one Run Command... 12 s (typically 20-40 s)}; the next message ends that line. Piped
 * output stays plain lines, one per message, with no {@code \r}.
 */
final class ConsoleProgress implements Progress {
  /** Live phases still drawing, so an error line can end them before it is printed. */
  private static final Set<ConsoleProgress> ACTIVE = ConcurrentHashMap.newKeySet();

  private final PrintWriter err;
  private final boolean verbose;
  private final boolean live;
  private final LongSupplier nanos;
  private ScheduledExecutorService ticker;
  private String phase;
  private String typical;
  private long phaseStart;
  private int drawn;

  ConsoleProgress(PrintWriter err, boolean verbose) {
    this(err, verbose, false, System::nanoTime);
  }

  ConsoleProgress(PrintWriter err, boolean verbose, Environment env) {
    this(err, verbose, env.interactive(), System::nanoTime);
  }

  /** {@code nanos} is the clock of the elapsed time (injected by tests, which call {@link #tick} themselves). */
  ConsoleProgress(PrintWriter err, boolean verbose, boolean live, LongSupplier nanos) {
    this.err = err;
    this.verbose = verbose;
    this.live = live;
    this.nanos = nanos;
  }

  /** What a phase typically takes on Azure, by the message that starts it; null when it is not a long phase. */
  static String typical(String message) {
    String m = message.trim();
    if (m.startsWith("Diagnosing inside the guest") || m.startsWith("Applying ") || m.startsWith("Verifying inside")
        || m.startsWith("Rolling back run ")) {
      return "Run Command, typically 20-40 s";
    }
    if (m.startsWith("Restarting ")) {
      return "restart, typically 30-90 s";
    }
    if (m.startsWith("Reapplying ")) {
      return "reapply, typically 1-2 min";
    }
    if (m.startsWith("Starting ")) {
      return "start, typically 1-3 min";
    }
    if (m.contains(": PowerState/")) {
      return "waiting for the VM and its agent, typically 1-3 min";
    }
    if (m.startsWith("Probing RDP")) {
      return "probe, typically a few seconds; longer while Windows boots";
    }
    return null;
  }

  @Override
  public synchronized void step(String message) {
    endPhase();
    String t = live ? typical(message) : null;
    if (t == null) {
      err.println(message);
      err.flush();
      return;
    }
    phase = message;
    typical = t;
    phaseStart = nanos.getAsLong();
    drawn = 0;
    draw();
    ACTIVE.add(this);
    if (ticker == null && !(nanos instanceof TestClock)) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread th = new Thread(r, "azrdpfix-progress");
        th.setDaemon(true);
        return th;
      });
      ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Marker for clocks that tests drive; no background ticker is started for them. */
  interface TestClock extends LongSupplier {}

  @Override
  public synchronized void detail(String message) {
    if (verbose) {
      endPhase();
      err.println("  " + message);
      err.flush();
    }
  }

  /** Redraws the running phase with its elapsed time. */
  synchronized void tick() {
    if (phase != null) {
      draw();
    }
  }

  private void draw() {
    long seconds = (nanos.getAsLong() - phaseStart) / 1_000_000_000L;
    String line = phase + " " + seconds + " s (" + typical + ")";
    int pad = Math.max(0, drawn - line.length());
    err.print("\r" + line + " ".repeat(pad));
    err.flush();
    drawn = line.length();
  }

  /** Ends the running phase's line, leaving its elapsed time. */
  synchronized void endPhase() {
    if (phase == null) {
      return;
    }
    long seconds = (nanos.getAsLong() - phaseStart) / 1_000_000_000L;
    String line = phase + " " + seconds + " s";
    err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())) + "\n");
    err.flush();
    phase = null;
    ACTIVE.remove(this);
  }

  /** Stops the ticker and ends the running phase (before the result or an error is printed). */
  synchronized void close() {
    endPhase();
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }

  /** Ends every live phase: called before an error line, so it starts on a line of its own. */
  static void closeAll() {
    for (ConsoleProgress p : ACTIVE) {
      p.close();
    }
  }
}
