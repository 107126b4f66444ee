package dev.azrdpfix.core.repair;

import java.time.Instant;

/**
 * One Azure operation in a run, for the report: its kind, what it was for, when it started and ended (null while it
 * runs), how it ended, the error when it failed, and the SHA-256 of the script it sent (run-command only).
 */
public record Operation(
    OperationKind kind, String purpose, Instant started, Instant ended, Outcome outcome, String error,
    String sha256) {

  /** How an operation ended. A run interrupted while the operation ran leaves it {@link #INTERRUPTED}. */
  public enum Outcome {
    OK,
    FAILED,
    INTERRUPTED
  }

  /** The report's words: {@code ok}, {@code failed: <error>} or {@code interrupted}. */
  public String result() {
    return switch (outcome) {
      case OK -> "ok";
      case FAILED -> "failed: " + error;
      case INTERRUPTED -> "interrupted";
    };
  }
}
