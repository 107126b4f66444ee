package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.report.Style;

/** Small option checks shared by commands, each failing with a one-line usage error. */
final class Validation {
  private Validation() {}

  static void ipAddress(String option, String value) {
    boolean v4 = value.matches("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
    boolean v6 = value.contains(":") && value.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      throw AzrdpfixException.usage(option + " '" + value + "' is not an IP address: give one like 203.0.113.7.");
    }
  }

  static Style style(Environment env, OutputOptions o) {
    return new Style(env.interactive() && !o.noColor && env.get("NO_COLOR") == null);
  }
}
