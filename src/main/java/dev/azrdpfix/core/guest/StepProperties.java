package dev.azrdpfix.core.guest;

/**
 * What running one repair step implies, as templates/manifest.json says (its only home): {@code explicitFlag} is the
 * CLI flag without which the step never runs (null if none).
 */
public record StepProperties(
    String id, boolean destructive, boolean requiresReboot, boolean requiresReapply, String explicitFlag) {

  /** Reads the properties of the repair steps; implemented by the template package from the manifest. */
  @FunctionalInterface
  public interface Source {
    /**
     * The properties of repair step {@code id}.
     *
     * @throws IllegalArgumentException when the manifest has no repair step with that id
     */
    StepProperties of(String id);
  }
}
