package dev.azrdpfix.core.port;

/** Asks a person to confirm a change. The CLI implements it on the terminal, honouring --yes. */
public interface Confirmer {
  /** True to go ahead. Throws {@link dev.azrdpfix.core.AzrdpfixException} (NOT_CONFIRMED) when nobody can answer. */
  boolean confirm(String question);
}
