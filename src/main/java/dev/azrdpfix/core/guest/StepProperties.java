package dev.azrdpfix.core.guest;

/**
 * What running one repair step implies, as templates/manifest.json says (its only home): {@code explicitFlag} is the
 * CLI flag without which the step never runs (null if none); {@code requiresReboot} that only a VM restart applies it
 * (a SCHANNEL protocol change, the MachineKeys rename); {@code restartsServices} that a restart of TermService and
 * SessionEnv applies it (the plan then ends with restart-rdp-services); {@code critical} false marks a best-effort
 * step (time, policy) whose failure is a warning and never stops the critical ones.
 */
public record StepProperties(
    String id,
    boolean destructive,
    boolean requiresReboot,
    boolean requiresReapply,
    String explicitFlag,
    boolean critical,
    boolean restartsServices) {

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
