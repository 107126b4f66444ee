package dev.azrdpfix.cli;

import dev.azrdpfix.template.TemplateCatalog;
import dev.azrdpfix.template.TemplateSpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code templates list|show ID}: what azrdpfix can run on a VM, verbatim. Offline. */
@Command(name = "templates", mixinStandardHelpOptions = true,
    description = "List the PowerShell templates azrdpfix sends through Run Command, or show one verbatim.",
    footer = {"%nExamples:", "  azrdpfix templates list", "  azrdpfix templates show diagnose"},
    subcommands = {TemplatesCommand.ListTemplates.class, TemplatesCommand.Show.class})
public final class TemplatesCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** One line per template: id, kind, whether it changes the VM, summary. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the templates, one line each with id, kind and SHA-256.",
      footer = {"%nExample:", "  azrdpfix templates list"})
  static final class ListTemplates implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      for (TemplateSpec t : TemplateCatalog.load().all()) {
        out.printf("%-26s %-9s %-8s %s%n", t.id(), t.kind().id(), t.mutates() ? "changes" : "reads", t.summary());
      }
      out.flush();
      return 0;
    }
  }

  /** The template text exactly as it is sent, with its parameters and SHA-256. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one template exactly as it is sent.",
      footer = {"%nExample:", "  azrdpfix templates show diagnose"})
  static final class Show implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The template's id (see 'azrdpfix templates list').")
    String id;

    @Override
    public Integer call() {
      TemplateSpec t = TemplateCatalog.load().get(id);
      var out = spec.commandLine().getOut();
      out.println("# id: " + t.id() + "  kind: " + t.kind().id() + "  changes the VM: " + t.mutates()
          + "  reboot: " + t.requiresReboot());
      out.println("# sha256: " + dev.azrdpfix.contract.ScriptText.sha256(t.text()));
      out.print(t.text());
      out.flush();
      return 0;
    }
  }
}
