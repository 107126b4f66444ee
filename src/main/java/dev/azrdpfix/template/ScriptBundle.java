package dev.azrdpfix.template;

import dev.azrdpfix.contract.ScriptText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Composes several repair templates into one Run Command script (CONTRACT.md, "The bundle"). Everything it writes
 * comes from the manifest and the template files; no runtime value enters the text.
 */
public final class ScriptBundle {
  /** Opening marker prefix of an embedded step. */
  public static final String STEP_OPEN = "# >>> azrdpfix-step ";
  /** Closing marker prefix of an embedded step. */
  public static final String STEP_CLOSE = "# <<< azrdpfix-step ";
  /** Opening marker prefix of the helpers section (the one copy of {@code common/helpers.ps1} in a bundle). */
  public static final String HELPERS_OPEN = "# >>> azrdpfix-helpers sha256=";
  public static final String HELPERS_CLOSE = "# <<< azrdpfix-helpers";
  public static final String RUNNER_OPEN = "# >>> azrdpfix-runner sha256=";
  public static final String RUNNER_CLOSE = "# <<< azrdpfix-runner";

  /** One embedded template. */
  record Step(TemplateSpec spec) {}

  private ScriptBundle() {}

  static List<String> compose(
      List<Step> steps, Map<String, ParameterSpec> params, Map<String, Boolean> required, List<String> helpers,
      List<String> runner) {
    List<String> out = new ArrayList<>();
    out.add("<# azrdpfix bundle: " + String.join(",", steps.stream().map(s -> s.spec().id()).toList())
        + " (generated from templates/manifest.json; step texts are verbatim templates) #>");
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
    out.add("$ErrorActionPreference = 'Stop'");
    // Functions defined at script scope are visible inside every step block and the runner, so once is enough.
    out.add(HELPERS_OPEN + ScriptText.sha256(helpers));
    out.addAll(helpers);
    out.add(HELPERS_CLOSE);
    out.add("$azrdpfixSteps = New-Object System.Collections.Generic.List[object]");
    for (Step s : steps) {
      TemplateSpec t = s.spec();
      // The template file verbatim: its placeholder line stays a comment, the helpers section above stands in for it.
      out.add(STEP_OPEN + t.id() + " sha256=" + t.sourceSha256());
      out.add("$azrdpfixSteps.Add(@{ Id = '" + t.id() + "'; Block = {");
      out.addAll(t.sourceLines());
      out.add("} })");
      out.add(STEP_CLOSE + t.id());
    }
    out.add(RUNNER_OPEN + ScriptText.sha256(runner));
    out.addAll(runner);
    out.add(RUNNER_CLOSE);
    return out;
  }
}
