package dev.azrdpfix.cli;

import dev.azrdpfix.core.access.AccessCheck;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.report.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check-access VM}: before any change, which Azure actions a command needs that this identity lacks. */
@Command(name = "check-access", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Read-only: tell which Azure actions a command needs on a VM that the current identity lacks (from",
        "ARM's permissions API). Exit 0 when all are granted, 4 when some are missing."})
public final class CheckAccessCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  AzureOptions azure;
  @Mixin
  OutputOptions output;
  private final Environment env;

  @Parameters(paramLabel = "VM", description = "NAME, RG/NAME or a full resource ID.")
  String vm;

  @Option(names = "--for", paramLabel = "COMMAND", defaultValue = "repair",
      description = "The command to check for: inspect, azure-only (inspect --azure-only), repair or rollback"
          + " (default: ${DEFAULT-VALUE}).")
  String forCommand;

  @Option(names = "--start", description = "With --for repair: also the action to start a deallocated VM.")
  boolean start;

  public CheckAccessCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    VmRef ref = azure.validate(vm);
    AccessCheck.Need need = AccessCheck.need(forCommand, start);
    ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), output.verbose);
    try (AzureSession session = AzureSession.open(azure, env, progress, ref)) {
      AccessCheck.Result r = new AccessCheck(session.gateway, session.permissions(), progress).run(ref, need);
      var out = spec.commandLine().getOut();
      GithubActions.of(out).checkAccess(r.target(), r.missing(), r.role(), markdown(r), spec.commandLine().getErr());
      if (output.json()) {
        out.println(Json.write(json(r)));
      } else {
        out.print(text(r));
      }
      out.flush();
      return r.exitCode().code();
    }
  }

  static Map<String, Object> json(AccessCheck.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", "azrdpfix/check-access/v1");
    m.put("target", r.target());
    m.put("for", r.need().label());
    m.put("exit", Json.exit(r.exitCode()));
    m.put("required", r.required());
    m.put("missing", r.missing());
    m.put("role", r.role());
    return m;
  }

  static String text(AccessCheck.Result r) {
    StringBuilder b = new StringBuilder("Access for '").append(r.need().label()).append("' on ").append(r.target())
        .append(":\n");
    for (String a : r.required()) {
      b.append(r.missing().contains(a) ? "  missing  " : "  granted  ").append(a).append('\n');
    }
    b.append('\n');
    if (r.missing().isEmpty()) {
      b.append("All ").append(r.required().size()).append(" actions are granted. (exit 0)\n");
    } else {
      b.append(r.missing().size()).append(" action(s) missing: assign '").append(r.role()).append("' on the VM's"
          + " resource group, or the least-privilege role in samples/azrdpfix-operator-role.json. (exit 4)\n");
    }
    return b.toString();
  }

  static String markdown(AccessCheck.Result r) {
    StringBuilder b = new StringBuilder("# azrdpfix check-access: ").append(r.target()).append("\n\n")
        .append("For `").append(r.need().label()).append("`: ")
        .append(r.missing().isEmpty() ? "all actions granted." : r.missing().size() + " action(s) missing; assign **"
            + r.role() + "**.")
        .append("\n\n| Action | |\n|---|---|\n");
    for (String a : r.required()) {
      b.append("| `").append(a).append("` | ").append(r.missing().contains(a) ? "**missing**" : "granted")
          .append(" |\n");
    }
    return b.toString();
  }
}
