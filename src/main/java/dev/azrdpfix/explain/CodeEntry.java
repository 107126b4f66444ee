package dev.azrdpfix.explain;

import java.util.List;

/**
 * One documented code (or documented range) of a Microsoft table, with azrdpfix's triage for an Azure VM.
 *
 * @param from the value, or the first value of a range
 * @param to the same as {@code from}, or the last value of a range
 * @param name Microsoft's name, e.g. disconnectReasonAtClientWinsockFDCLOSE
 * @param description Microsoft's description, in short
 * @param likelyCause what it usually means on an Azure VM (azrdpfix's reading, not Microsoft's)
 * @param commands the azrdpfix commands that address it, most useful first; empty when none applies
 * @param source where Microsoft documents it
 */
public record CodeEntry(
    long from, long to, String name, String description, String likelyCause, List<String> commands, String source) {

  public CodeEntry {
    commands = List.copyOf(commands);
  }

  boolean covers(long value) {
    return value >= from && value <= to;
  }

  boolean isRange() {
    return from != to;
  }
}
