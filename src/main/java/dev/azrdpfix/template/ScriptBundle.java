package dev.azrdpfix.template;

import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Composes several repair templates into one Run Command script (CONTRACT.md, "The bundle"). Everything it writes
 * comes from the manifest and the template files; no runtime value enters the text.
 */
public final class ScriptBundle {
  /** One embedded template. */
  record Step(TemplateSpec spec) {}

  private ScriptBundle() {}

  static List<String> compose(
      List<Step> steps, Map<String, ParameterSpec> params, Map<String, Boolean> required, List<String> helpers,
      List<String> runner) {
    List<String> out = new ArrayList<>();
    out.add(Wire.BUNDLE_HEADER_PREFIX + String.join(",", steps.stream().map(s -> s.spec().id()).toList())
        + Wire.BUNDLE_HEADER_SUFFIX);
    if (params.isEmpty()) {
      out.add("param()");
    } else {
      out.add("param(");
      List<String> names = new ArrayList<>(params.keySet());
      for (int i = 0; i < names.size(); i++) {
        ParameterSpec p = params.get(names.get(i));
        out.add("  [Parameter(Mandatory = $" + (required.get(p.name()) ? "true" : "false") + ")][ValidatePattern('"
            + p.pattern() + "')][string]$" + p.name() + (i < names.size() - 1 ? "," : ""));
      }
      out.add(")");
    }
    out.add(Wire.ERROR_PREFERENCE);
    // Functions defined at script scope are visible inside every step block and the runner, so once is enough.
    out.add(Wire.HELPERS_OPEN + ScriptText.sha256(helpers));
    out.addAll(helpers);
    out.add(Wire.HELPERS_CLOSE);
    out.add(Wire.STEPS_LIST);
    for (Step s : steps) {
      TemplateSpec t = s.spec();
      // The template file verbatim: its placeholder line stays a comment, the helpers section above stands in for it.
      out.add(Wire.stepOpen(t.id(), t.sourceSha256()));
      out.add(Wire.stepStart(t.id(), t.critical()));
      out.addAll(t.sourceLines());
      out.add(Wire.STEP_END);
      out.add(Wire.stepClose(t.id()));
    }
    out.add(Wire.RUNNER_OPEN + ScriptText.sha256(runner));
    out.addAll(runner);
    out.add(Wire.RUNNER_CLOSE);
    return out;
  }
}
