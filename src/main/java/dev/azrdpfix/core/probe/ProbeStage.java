package dev.azrdpfix.core.probe;

/**
 * One timed stage of a probe.
 *
 * @param name stage id: tcp-connect, negotiation, tls-handshake, certificate, credssp
 * @param status how the stage ended
 * @param millis how long the stage took
 * @param detail one line: what was seen
 */
public record ProbeStage(String name, Status status, long millis, String detail) {

  /** How a stage ended. */
  public enum Status {
    OK, WARN, FAILED
  }
}
