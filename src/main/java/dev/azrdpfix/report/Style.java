package dev.azrdpfix.report;

import dev.azrdpfix.core.model.Severity;

/**
 * ANSI colour for people at a terminal, plain text otherwise; {@code unicode} false keeps the text ASCII (a console
 * that is not UTF-8 would show the middle dot and the ellipsis as garbage).
 */
public record Style(boolean color, boolean unicode) {
  public Style(boolean color) {
    this(color, true);
  }

  /** The separator between facts on one line. */
  public String sep() {
    return unicode ? " \u00b7 " : " - ";
  }

  /** {@code s} cut to {@code n} characters, marking the cut. */
  public String truncate(String s, int n) {
    if (s.length() <= n) {
      return s;
    }
    return unicode ? s.substring(0, n - 1) + "\u2026" : s.substring(0, n - 3) + "...";
  }

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
