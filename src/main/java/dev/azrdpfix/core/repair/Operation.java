package dev.azrdpfix.core.repair;

import java.time.Instant;

/**
 * One Azure operation in a run, for the report: its kind, what it was for, when it started and ended (null while it
 * runs), how it ended, the error when it failed, and the SHA-256 of the script it sent (run-command only).
 */
public record Operation(
    OperationKind kind, String purpose, Instant started, Instant ended, Outcome outcome, String error,
    String sha256) {

  /**
   * How an operation ended. A run interrupted while a read-only operation ran leaves it {@link #INTERRUPTED}; an
   * operation that may change the VM and was sent but whose end was not read (Ctrl-C, a dropped connection, failing
   * status polls, a timeout, an operation Azure reports Failed) is {@link #UNKNOWN}: only the VM can tell.
   */
  public enum Outcome {
    OK, FAILED, INTERRUPTED, UNKNOWN
  }

  /**
   * The report's words: {@code ok}, {@code failed: <error>}, {@code interrupted} or
   * {@code sent, outcome unknown[: <why>]}.
   */
  public String result() {
    return switch (outcome) {
      case OK -> "ok";
      case FAILED -> "failed: " + error;
      case INTERRUPTED -> "interrupted";
      case UNKNOWN -> "sent, outcome unknown" + (error == null ? "" : ": " + error);
    };
  }
}
