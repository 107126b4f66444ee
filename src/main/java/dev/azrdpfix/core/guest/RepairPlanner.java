package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.RepairSteps.CLEAR_STALE_BINDING;
import static dev.azrdpfix.core.guest.RepairSteps.DISABLE_NLA;
import static dev.azrdpfix.core.guest.RepairSteps.REMOVE_RDP_CERTIFICATES;
import static dev.azrdpfix.core.guest.RepairSteps.RENAME_MACHINEKEYS;
import static dev.azrdpfix.core.guest.RepairSteps.RESTART_RDP_SERVICES;

import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestFacts.Cert;
import dev.azrdpfix.core.model.Thumbprint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plans the repair from what the findings asked for and what the user allowed: the user's step selection (when given)
 * replaces the diagnosis' choice, the two risky steps run only with their flag (otherwise they are reported as
 * blocked), the RDP services are restarted after the steps that need it, and the plan runs in the documented order.
 */
final class RepairPlanner {
  /** The most thumbprints one {@code remove-rdp-certificates} run takes (its {@code thumbprintList} parameter). */
  static final int MAX_THUMBPRINTS = 16;

  /** The steps in execution order, and the wanted steps that may not run, each as a one-line reason naming the flag. */
  record Plan(List<PlannedStep> steps, List<String> blocked) {
    Plan {
      steps = List.copyOf(steps);
      blocked = List.copyOf(blocked);
    }
  }

  private RepairPlanner() {}

  /** @throws AzrdpfixException USAGE when {@code options.onlySteps()} names an unknown step */
  static void checkSteps(RepairOptions options) {
    for (String id : options.onlySteps()) {
      if (!RepairSteps.known(id)) {
        throw new AzrdpfixException(ExitCode.USAGE, "unknown repair step '" + id + "': known steps are "
            + String.join(", ", RepairSteps.ids()) + ". Pick from that list.");
      }
    }
  }

  /** Plans from the findings' requests; {@code facts} supply the parameters of steps the user selected explicitly. */
  static Plan plan(GuestFindings.Result evidence, GuestFacts facts, RepairOptions opts, StepProperties.Source steps) {
    checkSteps(opts);
    List<String> blocked = new ArrayList<>();
    Map<String, StepRequest> chosen = new LinkedHashMap<>();
    if (opts.onlySteps().isEmpty()) {
      chosen.putAll(evidence.requested());
    } else {
      for (String id : opts.onlySteps()) {
        StepRequest w = evidence.requested().get(id);
        if (w == null) {
          w = explicit(id, facts, blocked);
        }
        if (w != null) {
          chosen.put(id, w);
        }
      }
    }
    if (chosen.containsKey(DISABLE_NLA) && !opts.allowDisableNla()) {
      chosen.remove(DISABLE_NLA);
      blocked.add("disable-nla weakens security and runs only with --allow-disable-nla");
    }
    if (chosen.containsKey(RENAME_MACHINEKEYS) && !opts.allowMachineKeysRename()) {
      chosen.remove(RENAME_MACHINEKEYS);
      blocked.add("rename-machinekeys (MachineKeys is corrupt) orphans every machine key and runs only with "
          + "--allow-machinekeys-rename");
    }
    if (opts.onlySteps().isEmpty() && !chosen.containsKey(RESTART_RDP_SERVICES)) {
      // The manifest says which fixes take effect only when TermService and SessionEnv restart.
      List<String> triggers = chosen.keySet().stream().filter(id -> steps.of(id).restartsServices()).toList();
      String servicesReason = evidence.restartReason();
      if (servicesReason != null || !triggers.isEmpty()) {
        String reason = servicesReason != null ? servicesReason : "after " + String.join(", ", triggers);
        chosen.put(RESTART_RDP_SERVICES, new StepRequest(Map.of(), reason));
      }
    }
    List<PlannedStep> planned = new ArrayList<>();
    chosen.entrySet().stream()
        .sorted(Comparator.comparingInt(e -> RepairSteps.rank(e.getKey())))
        .forEach(e -> {
          StepProperties info = steps.of(e.getKey());
          planned.add(new PlannedStep(info.id(), e.getValue().params(), e.getValue().reason(), info.destructive(),
              info.requiresReboot(), info.requiresReapply()));
        });
    return new Plan(planned, blocked);
  }

  /** Parameters for a step the user selected although the diagnosis did not ask for it; null if impossible. */
  private static StepRequest explicit(String id, GuestFacts facts, List<String> blocked) {
    String reason = "selected explicitly";
    switch (id) {
      case CLEAR_STALE_BINDING -> {
        String tp = facts.binding() == null ? null : Thumbprint.hexOf(facts.binding().tp());
        if (tp == null) {
          blocked.add("clear-stale-binding needs a certificate binding, and RDP-Tcp has none");
          return null;
        }
        return new StepRequest(Map.of("Thumbprint", tp), reason);
      }
      case REMOVE_RDP_CERTIFICATES -> {
        // The template re-checks each one and keeps every certificate that is valid with a readable key.
        List<String> tps = facts.certs().stream().filter(Cert::inRemoteDesktopStore).map(c -> Thumbprint.hexOf(c.tp()))
            .filter(Objects::nonNull).limit(MAX_THUMBPRINTS).toList();
        if (tps.isEmpty()) {
          blocked.add("remove-rdp-certificates found no certificate in the Remote Desktop store");
          return null;
        }
        return new StepRequest(Map.of("Thumbprints", String.join(Wire.LIST_SEPARATOR, tps)), reason);
      }
      default -> {
        return new StepRequest(Map.of(), reason);
      }
    }
  }
}
