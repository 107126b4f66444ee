package dev.azrdpfix.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code completion}: prints the bash/zsh completion script that picocli generates from the command model. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a completion script for bash and zsh (zsh loads it through bashcompinit). The script"
        + " completes subcommands, options and enum values such as --output."},
    footer = {"%nExamples:", "  source <(azrdpfix completion)                      # this shell only",
        "  azrdpfix completion > ~/.local/share/bash-completion/completions/azrdpfix",
        "  autoload -U +X bashcompinit && bashcompinit && source <(azrdpfix completion)   # zsh"})
public final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    var root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash("azrdpfix", root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
