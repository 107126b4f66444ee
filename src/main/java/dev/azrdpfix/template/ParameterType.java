package dev.azrdpfix.template;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The kinds of value a template parameter may take. Each has a canonical pattern (the manifest must use it) and a
 * rule text for usage errors; {@link #PORT} also checks its range.
 */
public enum ParameterType {
  RUN_ID("runId", "(?-i)^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$", "a run id like 20261123T050000Z-k3x9q2"), THUMBPRINT(
      "thumbprint", "(?-i)^[0-9A-F]{40}$", "40 upper-case hex digits"), THUMBPRINT_LIST("thumbprintList",
          "(?-i)^[0-9A-F]{40}(_[0-9A-F]{40}){0,15}$",
          "1 to 16 thumbprints of 40 upper-case hex digits, joined with _ (no commas, no blanks)"), TOKEN("token",
              "(?-i)^[A-Za-z0-9._-]{1,64}$", "1 to 64 letters, digits, '.', '_' or '-'"), BOOL("bool",
                  "(?-i)^(true|false)$",
                  "true or false"), INT("int", "(?-i)^-?[0-9]{1,9}$", "a whole number of at most 9 digits"), PORT(
                      "port", "(?-i)^[0-9]{1,5}$", "a TCP port from 1 to 65535");

  private final String id;
  private final String pattern;
  private final String rule;

  ParameterType(String id, String pattern, String rule) {
    this.id = id;
    this.pattern = pattern;
    this.rule = rule;
  }

  @JsonValue
  public String id() {
    return id;
  }

  /** The canonical pattern, identical to the template's ValidatePattern. */
  public String pattern() {
    return pattern;
  }

  /** The rule in words, for usage errors. */
  public String rule() {
    return rule;
  }

  /** Checks beyond the pattern (only the port range today). */
  boolean extraCheck(String value) {
    if (this == PORT) {
      int port = Integer.parseInt(value);
      return port >= 1 && port <= 65535;
    }
    return true;
  }

  static ParameterType fromId(String id) {
    for (ParameterType t : values()) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown parameter type '" + id + "'");
  }
}
