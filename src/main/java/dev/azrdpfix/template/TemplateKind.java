package dev.azrdpfix.template;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a template does: only reads, repairs one thing, or rolls a run back. */
public enum TemplateKind {
  INSPECT, REPAIR, ROLLBACK;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  static TemplateKind fromId(String id) {
    for (TemplateKind k : values()) {
      if (k.id().equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown template kind '" + id + "'");
  }
}
