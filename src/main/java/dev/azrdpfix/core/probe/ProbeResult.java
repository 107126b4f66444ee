package dev.azrdpfix.core.probe;

/**
 * The verdict of a probe and a one-line explanation. The probe package may extend this record with stage timings,
 * certificate and NTLM details; {@code verdict} and {@code summary} stay.
 */
public record ProbeResult(ProbeVerdict verdict, String summary) {
  public boolean ok() {
    return verdict == ProbeVerdict.OK;
  }
}
