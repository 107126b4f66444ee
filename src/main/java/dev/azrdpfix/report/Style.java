package dev.azrdpfix.report;

import dev.azrdpfix.core.model.Severity;

/** ANSI colour for people at a terminal; plain text otherwise. */
public record Style(boolean color) {
  public String severity(Severity s) {
    String label = String.format("%-8s", s.name());
    if (!color) {
      return label;
    }
    return switch (s) {
      case CRITICAL -> "\u001b[1;31m" + label + "\u001b[0m";
      case WARNING -> "\u001b[33m" + label + "\u001b[0m";
      case INFO -> "\u001b[36m" + label + "\u001b[0m";
    };
  }

  public String bold(String s) {
    return color ? "\u001b[1m" + s + "\u001b[0m" : s;
  }

  public String good(String s) {
    return color ? "\u001b[32m" + s + "\u001b[0m" : s;
  }

  public String bad(String s) {
    return color ? "\u001b[1;31m" + s + "\u001b[0m" : s;
  }
}
