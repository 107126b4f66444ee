package dev.azrdpfix.template;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.util.regex.Pattern;

/** One parameter of a template as the manifest declares it. */
public record ParameterSpec(String name, ParameterType type, String pattern, boolean required, String defaultValue) {
  /** Characters no parameter value may contain, whatever its pattern: Run Command splits blanks, cannot escape quotes. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._,:-]+");

  /**
   * Checks one value.
   *
   * @throws AzrdpfixException USAGE naming the parameter and the rule
   */
  public void check(String templateId, String value) {
    String where = "parameter " + name + " of template " + templateId;
    if (value == null || value.isBlank()) {
      throw new AzrdpfixException(ExitCode.USAGE, where + " is empty: it must be " + type.rule() + ".");
    }
    if (!SAFE.matcher(value).matches() || !Pattern.compile(pattern).matcher(value).matches()
        || !type.extraCheck(value)) {
      throw new AzrdpfixException(ExitCode.USAGE, where + " is invalid: it must be " + type.rule()
          + " (pattern " + pattern + "). Check the value you passed.");
    }
  }
}
