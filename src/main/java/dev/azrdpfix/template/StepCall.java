package dev.azrdpfix.template;

import java.util.Map;

/** One repair template to include in a bundle, with its parameter values. */
public record StepCall(String templateId, Map<String, String> params) {
  public StepCall {
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
