package dev.azrdpfix.cli;

import dev.azrdpfix.azure.AzureSettings.AuthMode;
import dev.azrdpfix.azure.AzureSettings.Cloud;
import dev.azrdpfix.core.AzrdpfixException;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where and as whom to talk to Azure; shared by every command that reaches Azure. */
public final class AzureOptions {
  @Option(names = "--subscription", paramLabel = "ID",
      description = "Subscription ID (default: AZURE_SUBSCRIPTION_ID, then the Azure CLI's default subscription).")
  String subscription;

  @Option(names = {"-g", "--resource-group"}, paramLabel = "RG",
      description = "Resource group of the VM (default: find the VM by name in the subscription).")
  String resourceGroup;

  @Option(names = "--cloud", paramLabel = "CLOUD", defaultValue = "AzureCloud",
      description = "AzureCloud, AzureChinaCloud or AzureUSGovernment (default: ${DEFAULT-VALUE}).")
  String cloud = "AzureCloud";

  @Option(names = "--arm-endpoint", paramLabel = "URL",
      description = "Custom Azure Resource Manager endpoint (https), e.g. Azure Stack Hub.")
  String armEndpoint;

  @Option(names = "--ca-file", paramLabel = "PEM",
      description = "Extra CA certificates (PEM) to trust for --arm-endpoint, e.g. an Azure Stack Hub root CA.")
  String caFile;

  @Option(names = "--tenant", paramLabel = "ID", description = "Tenant (directory) ID to authenticate in.")
  String tenant;

  @Option(names = "--auth", paramLabel = "MODE", defaultValue = "default",
      description = "default (DefaultAzureCredential chain), cli (Azure CLI login only), env (service principal from"
          + " AZURE_* variables), managed-identity, workload-identity, token (a token in AZRDPFIX_ACCESS_TOKEN) (default: ${DEFAULT-VALUE}).")
  String auth = "default";

  @Mixin
  SimulatorOptions simulator = new SimulatorOptions();

  /**
   * Checks the VM name and the options that need no network, so bad input fails with exit 2 before any login or
   * request. Returns the parsed VM.
   */
  dev.azrdpfix.core.model.VmRef validate(String vm) {
    dev.azrdpfix.core.model.VmRef ref = dev.azrdpfix.core.model.VmRef.parse(vm, resourceGroup);
    cloud();
    authMode();
    return ref;
  }

  Cloud cloud() {
    for (Cloud c : Cloud.values()) {
      if (c.cliName().equalsIgnoreCase(cloud)) {
        return c;
      }
    }
    throw AzrdpfixException.usage("unknown cloud '" + cloud + "': use AzureCloud, AzureChinaCloud or"
        + " AzureUSGovernment, or --arm-endpoint for another cloud.");
  }

  AuthMode authMode() {
    for (AuthMode m : AuthMode.values()) {
      if (m.id().equals(auth.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw AzrdpfixException.usage("unknown --auth '" + auth
        + "': use default, cli, env, managed-identity, workload-identity or token.");
  }
}
