package dev.azrdpfix.contract;

/**
 * The wire format between the PowerShell templates, the Java side that sends them ({@code template}) and the simulated
 * guest ({@code simulator.guest}), as templates/CONTRACT.md defines it: the marker line, the output budgets, the
 * helpers placeholder and the framing of a composed bundle. Data only; this is the one home of these strings.
 */
public final class Wire {
  /** Contract version carried as {@code "v"} in every marker line. */
  public static final int VERSION = 1;
  /** The fixed prefix of every marker line (the last stdout line of a template). */
  public static final String MARKER = "AZRDPFIX-RESULT ";
  /** Run Command keeps only this many trailing bytes of each output stream. */
  public static final int OUTPUT_LIMIT = 4096;
  /** A bundle marker longer than this is shortened (CONTRACT.md, "The bundle"). */
  public static final int BUNDLE_MARKER_LIMIT = 3800;
  /** diagnose drops certificates from its list until its marker line fits this many characters. */
  public static final int FACTS_MARKER_LIMIT = 3600;

  /**
   * Separator of list parameters (thumbprintList). Run Command passes values through cmd.exe and possibly
   * powershell.exe -Command, where a comma would make an array and break ValidatePattern; an underscore is inert in
   * cmd.exe, in -File and in -Command mode.
   */
  public static final String LIST_SEPARATOR = "_";

  /** The line each template holds where the helpers go. */
  public static final String HELPERS_PLACEHOLDER = "# azrdpfix:helpers";

  /** First line of a bundle: this prefix, the step ids joined with commas, then {@link #BUNDLE_HEADER_SUFFIX}. */
  public static final String BUNDLE_HEADER_PREFIX = "<# azrdpfix bundle: ";
  public static final String BUNDLE_HEADER_SUFFIX =
      " (generated from templates/manifest.json; step texts are verbatim templates) #>";
  /** The line after the bundle's param() block. */
  public static final String ERROR_PREFERENCE = "$ErrorActionPreference = 'Stop'";
  /** Opening line prefix of the helpers section, followed by the sha256 of {@code common/helpers.ps1}. */
  public static final String HELPERS_OPEN = "# >>> azrdpfix-helpers sha256=";
  public static final String HELPERS_CLOSE = "# <<< azrdpfix-helpers";
  /** The line that creates the step list, after the helpers section. */
  public static final String STEPS_LIST = "$azrdpfixSteps = New-Object System.Collections.Generic.List[object]";
  /** Opening line prefix of an embedded step: {@code STEP_OPEN + id + " sha256=" + hex}. */
  public static final String STEP_OPEN = "# >>> azrdpfix-step ";
  /** Closing line prefix of an embedded step: {@code STEP_CLOSE + id}. */
  public static final String STEP_CLOSE = "# <<< azrdpfix-step ";
  /** The line that ends a step's script block. */
  public static final String STEP_END = "} })";
  /** Opening line prefix of the runner section, followed by the sha256 of {@code common/bundle-runner.ps1}. */
  public static final String RUNNER_OPEN = "# >>> azrdpfix-runner sha256=";
  public static final String RUNNER_CLOSE = "# <<< azrdpfix-runner";

  private Wire() {}

  /** The opening line of step {@code id} whose template file hashes to {@code sha256}. */
  public static String stepOpen(String id, String sha256) {
    return STEP_OPEN + id + " sha256=" + sha256;
  }

  /**
   * The line that starts step {@code id}'s script block; {@code critical} false marks a best-effort step, whose failure
   * the runner records as a warning and goes on.
   */
  public static String stepStart(String id, boolean critical) {
    return "$azrdpfixSteps.Add(@{ Id = '" + id + "'; Critical = $" + critical + "; Block = {";
  }

  /** The closing line of step {@code id}. */
  public static String stepClose(String id) {
    return STEP_CLOSE + id;
  }
}
