package dev.azrdpfix.cli;

import dev.azrdpfix.explain.ExplainText;
import dev.azrdpfix.explain.Explainer;
import dev.azrdpfix.explain.Explanation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code explain CODE [EXTENDED]}: what the Remote Desktop client's error codes mean on an Azure VM. Offline. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Decode the Remote Desktop client's \"error code\" and \"extended error code\" (hex like 0x904",
        "or decimal) from Microsoft's documented tables, with the likely cause on an Azure VM and the fix."},
    footer = {"%nExample:", "  azrdpfix explain 0x904 0x7"})
public final class ExplainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  OutputOptions output;

  @Parameters(index = "0", paramLabel = "CODE", description = "The error code (disconnect reason), e.g. 0x904.")
  String code;

  @Parameters(index = "1", paramLabel = "EXTENDED", arity = "0..1",
      description = "The extended error code, e.g. 0x7.")
  String extended;

  @Override
  public Integer call() throws Exception {
    Explanation x = Explainer.explain(code, extended);
    var out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(new com.fasterxml.jackson.databind.ObjectMapper()
          .writerWithDefaultPrettyPrinter().writeValueAsString(x));
    } else {
      out.print(ExplainText.render(x));
    }
    out.flush();
    return 0;
  }
}
