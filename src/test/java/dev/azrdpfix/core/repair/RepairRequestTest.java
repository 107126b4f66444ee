package dev.azrdpfix.core.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.RepairSteps;
import dev.azrdpfix.core.model.VmRef;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A repair request that cannot run is a usage error when it is built, before any Azure call. */
class RepairRequestTest {
  static RepairRequest request(RepairRequest.StepSelection steps, RepairRequest.Consents consents) {
    return new RepairRequest(VmRef.parse("rg1/vm1", null), steps, consents,
        new RepairRequest.ProbeSettings(false, null, Duration.ofSeconds(5), Duration.ofMinutes(3)),
        new VmWaits(Duration.ofMinutes(15)), false);
  }

  static AzrdpfixException usage(Runnable r) {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, r::run);
    assertEquals(ExitCode.USAGE, e.exitCode());
    return e;
  }

  @ParameterizedTest
  @ValueSource(strings = {"diagnose", "rollback", "format-c-drive", "RESET-MACHINEKEYS-ACL"})
  void steps_accept_only_repair_step_ids_and_list_them(String id) {
    AzrdpfixException e = usage(() -> RepairRequest.StepSelection.parse(List.of("reset-machinekeys-acl", id)));
    assertTrue(e.getMessage().startsWith("--steps '" + id + "' is not a repair step"), e.getMessage());
    assertTrue(e.getMessage().contains(String.join(", ", RepairSteps.ids())), e.getMessage());
  }

  @Test
  void an_empty_step_list_is_a_usage_error() {
    assertTrue(usage(() -> RepairRequest.StepSelection.parse(List.of())).getMessage().startsWith("--steps is empty"));
    assertTrue(usage(() -> RepairRequest.StepSelection.parse(Arrays.asList("", " "))).getMessage()
        .startsWith("--steps is empty"));
  }

  @Test
  void steps_keep_every_repair_step_and_no_list_lets_the_diagnosis_choose() {
    assertEquals(Set.copyOf(RepairSteps.ids()), RepairRequest.StepSelection.parse(RepairSteps.ids()).ids());
    assertEquals(Set.of(), RepairRequest.StepSelection.parse(null).ids());
  }

  @Test
  void risky_steps_need_their_consent() {
    var nla = RepairRequest.StepSelection.parse(List.of("disable-nla"));
    assertTrue(usage(() -> request(nla, RepairRequest.Consents.none())).getMessage()
        .contains("--allow-disable-nla"));
    request(nla, new RepairRequest.Consents(false, true, false));
    var rename = RepairRequest.StepSelection.parse(List.of("rename-machinekeys"));
    assertTrue(usage(() -> request(rename, RepairRequest.Consents.none())).getMessage()
        .contains("--allow-machinekeys-rename"));
    RepairRequest ok = request(rename, new RepairRequest.Consents(true, false, false));
    assertTrue(ok.repairOptions().allowMachineKeysRename());
    assertEquals(Set.of("rename-machinekeys"), ok.repairOptions().onlySteps());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536})
  void the_probe_port_must_be_a_tcp_port(int port) {
    assertTrue(usage(() -> new RepairRequest.ProbeSettings(false, port, Duration.ofSeconds(5), Duration.ZERO))
        .getMessage().contains("is not a TCP port"));
  }
}
