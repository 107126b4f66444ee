package dev.azrdpfix.core.guest;

import dev.azrdpfix.core.model.RunId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The runs recorded on the VM itself (its run folders and journals, read by the read-only {@code list-runs}
 * template): the authority on what can be undone. Newest first; {@code more} runs did not fit the output window.
 * {@code guestNow} is the guest's clock, so ages do not depend on the local clock; {@code lock} the run that holds
 * the VM's lock (null: none).
 */
public record VmRuns(List<Run> runs, int more, Instant guestNow, GuestFacts.Lock lock) {
  public VmRuns {
    runs = List.copyOf(runs);
  }

  public VmRuns(List<Run> runs, int more, Instant guestNow) {
    this(runs, more, guestNow, null);
  }

  /** The state of one run as its folder on the VM tells it. */
  public enum State {
    COMPLETE("complete"), INTERRUPTED("interrupted"), ROLLED_BACK("rolled back");

    private final String text;

    State(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * One run folder: its id, when its first change was journaled (null if unreadable), its state, how many changes it
   * journaled, up to three "step op" texts, when it was rolled back, and how many journal lines were not JSON.
   */
  public record Run(RunId id, Instant started, State state, int changes, List<String> ops, Instant rolledBackAt,
      int badLines) {
    public Run {
      ops = List.copyOf(ops);
    }

    public boolean rolledBack() {
      return state == State.ROLLED_BACK;
    }
  }

  public Optional<Run> find(RunId id) {
    return runs.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** The latest run that changed something and is not rolled back: what {@code rollback VM} undoes. */
  public Optional<Run> latestUndoable() {
    return runs.stream().filter(r -> !r.rolledBack() && r.changes() > 0).findFirst();
  }

  /** The newest run that journaled a change, when it did not finish: the journal has no end entry. */
  public Optional<Run> interruptedLatest() {
    return runs.stream().filter(r -> r.changes() > 0).findFirst().filter(r -> r.state() == State.INTERRUPTED);
  }

  /** How long ago a run started, on the guest's clock; empty when a time is missing. */
  public Optional<Duration> age(Run run) {
    if (run.started() == null || guestNow == null) {
      return Optional.empty();
    }
    Duration d = Duration.between(run.started(), guestNow);
    return Optional.of(d.isNegative() ? Duration.ZERO : d);
  }

  /** "2 h 5 min", "3 d 4 h", "40 s". */
  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min";
    }
    if (s < 86400) {
      return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
    return (s / 86400) + " d " + (s % 86400 / 3600) + " h";
  }

  /** One line per run: id, state, changes and age, as printed by {@code rollback --list}. */
  public String line(Run r) {
    StringBuilder b = new StringBuilder(r.id().value()).append("  ").append(r.state().text());
    b.append("  ").append(r.changes()).append(r.changes() == 1 ? " change" : " changes");
    if (!r.ops().isEmpty()) {
      b.append(" (").append(String.join(", ", r.ops())).append(r.changes() > r.ops().size() ? ", ..." : "")
          .append(')');
    }
    age(r).ifPresent(a -> b.append("  started ").append(human(a)).append(" ago"));
    if (r.badLines() > 0) {
      b.append("  ").append(r.badLines()).append(" unreadable journal line(s)");
    }
    return b.toString();
  }

  /** The ids on one line, for an error that lists what the VM has: "a (complete), b (rolled back)". */
  public String ids() {
    if (runs.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    for (Run r : runs) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(r.id().value()).append(" (").append(r.state().text()).append(')');
    }
    if (more > 0) {
      b.append(" and ").append(more).append(" older");
    }
    return b.toString();
  }
}
