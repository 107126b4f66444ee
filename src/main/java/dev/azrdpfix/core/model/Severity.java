package dev.azrdpfix.core.model;

/** How much a finding matters. Only {@link #CRITICAL} findings block RDP and drive exit code 5. */
public enum Severity {
  CRITICAL, WARNING, INFO;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
