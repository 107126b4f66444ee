package dev.azrdpfix.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.core.access.AccessCheck;
import dev.azrdpfix.testing.ArmWorld;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code check-access} through the real Azure SDK pipeline against ARM's permissions API (WireMock, HTTPS). */
class CheckAccessCommandTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();
  @TempDir
  Path home;

  static final String PERMISSIONS = ArmWorld.rgPath("rg1")
      + "/providers/Microsoft.Compute/virtualMachines/vm1/providers/Microsoft.Authorization/permissions";

  Result checkAccess(String... extra) {
    ArmWorld world = new ArmWorld(wm);
    List<String> args = new ArrayList<>(List.of("check-access", "rg1/vm1"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--arm-endpoint", world.endpoint(), "--ca-file", ArmWorld.caPem(home).toString(),
        "--auth", "token"));
    return CliRun.run(Map.of("AZRDPFIX_ACCESS_TOKEN", "test-token", "AZURE_SUBSCRIPTION_ID", SUB), home,
        args.toArray(String[]::new));
  }

  void permissions(Object... pages) {
    wm.stubFor(get(urlPathEqualTo(PERMISSIONS)).withQueryParam("api-version", equalTo("2022-04-01"))
        .willReturn(ArmWorld.json(200, Map.of("value", List.of(pages)))));
  }

  static Map<String, Object> entry(List<String> actions, List<String> notActions) {
    return Map.of("actions", actions, "notActions", notActions, "dataActions", List.of(), "notDataActions", List.of());
  }

  @Test
  void a_reader_is_told_which_actions_repair_needs_and_which_role_grants_them() throws Exception {
    permissions(entry(List.of("*/read"), List.of()));
    Result r = checkAccess("--output", "json").expectExit(4);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertEquals(List.of("Microsoft.Compute/virtualMachines/runCommand/action",
        "Microsoft.Compute/virtualMachines/restart/action", "Microsoft.Compute/virtualMachines/reapply/action"),
        strings(doc.path("missing")), r::toString);
    assertEquals("Virtual Machine Contributor", doc.path("role").asText());
    assertEquals("precondition", doc.path("exit").path("name").asText());
    wm.verify(getRequestedFor(urlPathEqualTo(PERMISSIONS)).withHeader("Authorization", equalTo("Bearer test-token")));
  }

  @Test
  void an_owner_has_everything_and_the_text_lists_each_action_as_granted() {
    permissions(entry(List.of("*"), List.of("Microsoft.Authorization/*/Write")));
    Result r = checkAccess("--for", "repair", "--start").expectExit(0);
    for (String a : AccessCheck.Need.REPAIR_WITH_START.actions()) {
      assertTrue(r.out().contains("granted  " + a), a + "\n" + r);
    }
  }

  @Test
  void not_actions_of_a_custom_role_are_honoured() {
    permissions(entry(List.of("*"), List.of("Microsoft.Compute/virtualMachines/runCommand/action")),
        entry(List.of("Microsoft.Network/*/read"), List.of()));
    Result r = checkAccess("--for", "inspect").expectExit(4);
    assertTrue(r.out().contains("missing  Microsoft.Compute/virtualMachines/runCommand/action"), r::toString);
  }

  @Test
  void when_the_identity_cannot_read_its_permissions_it_is_one_line_and_exit_3() {
    wm.stubFor(get(urlPathEqualTo(PERMISSIONS)).willReturn(ArmWorld.json(403, Map.of("error", Map.of("code",
        "AuthorizationFailed", "message", "The client 'x' does not have authorization to perform action"
            + " 'Microsoft.Authorization/permissions/read'.")))));
    Result r = checkAccess().expectExit(3);
    assertTrue(r.oneLineError().contains("permission denied (AuthorizationFailed)"), r::toString);
  }

  @Test
  void an_unknown_command_is_a_usage_error_before_any_request() {
    Result r = checkAccess("--for", "explain").expectExit(2);
    assertTrue(r.oneLineError().contains("--for 'explain'"), r::toString);
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @Test
  void against_the_simulated_azure_the_default_identity_may_repair_and_a_reader_may_not() {
    CliRun.run(Map.of(), home, "check-access", "web-01", "--simulate").expectExit(0);
    Result reader = CliRun.run(Map.of(), home, "check-access", "web-01", "--for", "inspect", "--simulate",
        "--sim-faults", "role:reader").expectExit(4);
    assertTrue(reader.out().contains("missing  Microsoft.Compute/virtualMachines/runCommand/action"),
        reader::toString);
    CliRun.run(Map.of(), home, "check-access", "web-01", "--for", "azure-only", "--simulate", "--sim-faults",
        "role:reader").expectExit(0);
  }

  @Test
  void what_check_access_says_is_what_the_simulated_azure_then_enforces() {
    // A Reader may inspect from the Azure side, but Run Command is refused with the action check-access named.
    String reader = "role:reader";
    CliRun.run(Map.of(), home, "check-access", "web-01", "--for", "azure-only", "--simulate", "--sim-faults", reader)
        .expectExit(0);
    CliRun.run(Map.of(), home, "inspect", "web-01", "--azure-only", "--simulate", "--sim-faults", reader)
        .expectExit(0);
    Result named = CliRun.run(Map.of(), home, "check-access", "web-01", "--for", "inspect", "--simulate",
        "--sim-faults", reader).expectExit(4);
    // inspect degrades: the Azure side is reported, the guest is not diagnosed, and the finding names the action.
    Result refused = CliRun.run(Map.of(), home, "inspect", "web-01", "--simulate", "--sim-faults", reader)
        .expectExit(4);
    String action = "Microsoft.Compute/virtualMachines/runCommand/action";
    assertTrue(named.out().contains("missing  " + action), named::toString);
    assertTrue(refused.out().contains("guest-not-diagnosed") && refused.out().contains(action), refused::toString);
    // No role at all: even reading is refused, and check-access says so first (given RG/NAME: finding a VM by
    // its name alone is itself a read of the subscription).
    CliRun.run(Map.of(), home, "check-access", "rg-prod/web-01", "--for", "azure-only", "--simulate", "--sim-faults",
        "role:none").expectExit(4);
    CliRun.run(Map.of(), home, "inspect", "rg-prod/web-01", "--azure-only", "--simulate", "--sim-faults",
        "role:none").expectExit(3);
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
