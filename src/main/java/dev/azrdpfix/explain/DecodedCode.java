package dev.azrdpfix.explain;

import java.util.List;

/**
 * One code as decoded against its own table.
 *
 * @param table "error code" (disconnect reason) or "extended error code" (ExtendedDisconnectReasonCode)
 * @param input what the user typed
 * @param value the number
 * @param hex the number as mstsc shows it, e.g. 0x904
 * @param documented whether Microsoft's table lists it
 * @param name Microsoft's name; null when undocumented
 * @param description Microsoft's description; null when undocumented
 * @param likelyCause what it usually means on an Azure VM (azrdpfix's reading); null when undocumented
 * @param commands azrdpfix commands that address it
 * @param source where Microsoft documents it; null when undocumented
 * @param notes caveats: a swapped code, a hex/decimal mix-up, a heuristic, a well-known myth
 */
public record DecodedCode(
    String table,
    String input,
    long value,
    String hex,
    boolean documented,
    String name,
    String description,
    String likelyCause,
    List<String> commands,
    String source,
    List<String> notes) {

  public DecodedCode {
    commands = List.copyOf(commands);
    notes = List.copyOf(notes);
  }
}
