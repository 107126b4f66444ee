package dev.azrdpfix.template;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The status a template reports: ok (read-only ran), changed, noop (nothing needed doing), failed. */
public enum ResultStatus {
  OK, CHANGED, NOOP, FAILED;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status for a contract id, or null when the id is not one. */
  @JsonCreator
  public static ResultStatus fromId(String id) {
    for (ResultStatus s : values()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    return null;
  }
}
