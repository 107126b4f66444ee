package dev.azrdpfix.cli;

import picocli.CommandLine.Command;

/** The top command: lists the subcommands; does nothing by itself. */
@Command(
    name = "azrdpfix",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Diagnose, repair and prove Remote Desktop on Windows Azure VMs.",
    footer = {"%nStart with: azrdpfix inspect web-01 --simulate   (no Azure account needed)"})
public final class AzrdpfixCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
