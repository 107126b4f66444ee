package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.port.Progress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** Records every Azure operation of a run as it happens, so an interrupted run still reports what was done. */
public final class OperationLog {
  private final Clock clock;
  private final Progress progress;
  private final List<Operation> operations = new ArrayList<>();
  private Operation running;

  public OperationLog(Clock clock, Progress progress) {
    this.clock = clock;
    this.progress = progress;
  }

  /** Runs {@code action}, recording it; {@code sha} gives the script hash from the result (or null). */
  public <T> T record(String kind, String purpose, Supplier<T> action, Function<T, String> sha) {
    Instant start = clock.instant();
    synchronized (this) {
      running = new Operation(kind, purpose, start, null, "interrupted", null);
    }
    progress.detail("operation " + kind + ": " + purpose);
    try {
      T value = action.get();
      add(new Operation(kind, purpose, start, clock.instant(), "ok", sha == null ? null : sha.apply(value)));
      return value;
    } catch (RuntimeException e) {
      add(new Operation(kind, purpose, start, clock.instant(), "failed: " + e.getMessage(), null));
      throw e;
    }
  }

  public void record(String kind, String purpose, Runnable action) {
    record(kind, purpose, () -> {
      action.run();
      return null;
    }, null);
  }

  private synchronized void add(Operation op) {
    operations.add(op);
    running = null;
  }

  /** The operations so far, including one still running (marked interrupted). */
  public synchronized List<Operation> snapshot() {
    List<Operation> out = new ArrayList<>(operations);
    if (running != null) {
      out.add(running);
    }
    return out;
  }
}
