package dev.azrdpfix.explain;

/** The azrdpfix command lines explain points to (VM and HOST are placeholders the user fills in). */
final class Commands {
  static final String PROBE = "azrdpfix probe HOST";
  static final String INSPECT = "azrdpfix inspect VM";
  static final String REPAIR = "azrdpfix repair VM";

  private Commands() {}
}
