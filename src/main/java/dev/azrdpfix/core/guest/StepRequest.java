package dev.azrdpfix.core.guest;

import java.util.Map;

/** A repair step that evidence (or the user) asks for: its template parameters and why. */
record StepRequest(Map<String, String> params, String reason) {
  StepRequest {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  /** Both reasons, this one's parameters: the first piece of evidence decides what the step gets. */
  StepRequest and(StepRequest later) {
    return new StepRequest(params, reason + "; " + later.reason());
  }
}
