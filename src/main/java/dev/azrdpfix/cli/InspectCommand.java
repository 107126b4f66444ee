package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.inspect.InspectReport;
import dev.azrdpfix.core.inspect.InspectWorkflow;
import dev.azrdpfix.report.InspectOutput;
import dev.azrdpfix.report.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inspect VM}: read-only; why RDP to the VM may fail, from Azure and (unless --azure-only) inside the guest. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Find out, read-only, why RDP to a VM fails: from the Azure side and inside the guest.",
    footer = {"%nExamples:", "  azrdpfix inspect rg-prod/web-01", "  azrdpfix inspect web-01 --simulate --output json",
        "  azrdpfix inspect web-01 --source 198.51.100.7 --azure-only"})
public final class InspectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  AzureOptions azure;
  @Mixin
  OutputOptions output;
  private final Environment env;

  @Parameters(paramLabel = "VM", description = "NAME, RG/NAME or a full resource ID.")
  String vm;

  @Option(names = "--rdp-port", paramLabel = "PORT", defaultValue = "3389",
      description = "The RDP port to check in the NSGs (default: ${DEFAULT-VALUE}).")
  int rdpPort;

  @Option(names = "--source", paramLabel = "IP", description = "Also check whether this address may reach RDP.")
  String source;

  @Option(names = "--azure-only", description = "Skip the guest diagnosis (no Run Command).")
  boolean azureOnly;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON document here and Markdown beside it.")
  java.nio.file.Path reportFile;

  public InspectCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    if (rdpPort < 1 || rdpPort > 65535) {
      throw AzrdpfixException.usage("--rdp-port " + rdpPort + " is not a TCP port: use 1-65535.");
    }
    if (source != null) {
      Validation.ipAddress("--source", source);
    }
    InspectWorkflow.Request request = new InspectWorkflow.Request(azure.validate(vm), rdpPort, source, azureOnly);
    ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), output.verbose, env);
    try (AzureSession session = AzureSession.open(azure, env, progress, request.vm())) {
      InspectReport report = new Wiring(session, env, progress).inspect().run(request);
      progress.close();
      var out = spec.commandLine().getOut();
      java.nio.file.Path saved = RunSupport.saveInspect(report, reportFile);
      GithubActions.of(out).inspect(report, saved, spec.commandLine().getErr());
      NextCommands next = NextCommands.of(spec);
      if (output.json()) {
        out.println(next.carryJson(Json.write(InspectOutput.json(report))));
      } else {
        out.print(next.carry(InspectOutput.text(report, Validation.style(env, output))));
      }
      out.flush();
      return report.exitCode().code();
    } finally {
      progress.close();
    }
  }
}
