package dev.azrdpfix.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.access.AccessCheck.Need;
import dev.azrdpfix.core.port.PermissionReader.Permission;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the permissions API's actions and notActions are read, and which role is suggested for what is missing. */
class AccessCheckTest {

  @Test
  void wildcards_match_any_run_of_characters_case_insensitively() {
    assertTrue(AccessCheck.matches("*", "Microsoft.Compute/virtualMachines/restart/action"));
    assertTrue(AccessCheck.matches("*/read", "Microsoft.Network/virtualNetworks/subnets/read"));
    assertFalse(AccessCheck.matches("*/read", "Microsoft.Compute/virtualMachines/runCommand/action"));
    assertTrue(AccessCheck.matches("microsoft.compute/virtualmachines/*",
        "Microsoft.Compute/virtualMachines/runCommand/action"));
    assertTrue(AccessCheck.matches("Microsoft.Compute/*/action", "Microsoft.Compute/virtualMachines/start/action"));
    assertFalse(AccessCheck.matches("Microsoft.Compute/virtualMachines/read",
        "Microsoft.Compute/virtualMachines/instanceView/read"));
    assertFalse(AccessCheck.matches("Microsoft.Network/virtualNetworks/read",
        "Microsoft.Network/virtualNetworks/subnets/read"));
  }

  @Test
  void not_actions_take_away_from_their_own_entry_only() {
    List<String> needed = List.of("Microsoft.Compute/virtualMachines/runCommand/action",
        "Microsoft.Compute/virtualMachines/read");
    Permission contributorButNoRunCommand = new Permission(List.of("*"),
        List.of("Microsoft.Compute/virtualMachines/runCommand/*"));
    assertEquals(List.of("Microsoft.Compute/virtualMachines/runCommand/action"),
        AccessCheck.missing(needed, List.of(contributorButNoRunCommand)));
    Permission second = new Permission(List.of("Microsoft.Compute/virtualMachines/*"), List.of());
    assertEquals(List.of(), AccessCheck.missing(needed, List.of(contributorButNoRunCommand, second)),
        "another role assignment grants it");
    assertEquals(needed, AccessCheck.missing(needed, List.of()), "no assignment: everything is missing");
  }

  @Test
  void a_reader_can_inspect_from_azure_but_not_run_commands() {
    List<Permission> reader = List.of(new Permission(List.of("*/read"), List.of()));
    assertEquals(List.of(), AccessCheck.missing(Need.AZURE_ONLY.actions(), reader));
    assertEquals(List.of("Microsoft.Compute/virtualMachines/runCommand/action"),
        AccessCheck.missing(Need.INSPECT.actions(), reader));
    assertEquals(List.of("Microsoft.Compute/virtualMachines/runCommand/action",
        "Microsoft.Compute/virtualMachines/restart/action", "Microsoft.Compute/virtualMachines/reapply/action",
        "Microsoft.Compute/virtualMachines/start/action"),
        AccessCheck.missing(Need.REPAIR_WITH_START.actions(), reader));
  }

  @Test
  void the_suggested_role_is_the_smallest_built_in_that_grants_what_is_missing() {
    assertNull(AccessCheck.roleFor(List.of()));
    assertEquals("Reader", AccessCheck.roleFor(List.of("Microsoft.Network/networkInterfaces/read")));
    assertEquals("Virtual Machine Contributor",
        AccessCheck.roleFor(List.of("Microsoft.Compute/virtualMachines/runCommand/action")));
    assertEquals("Virtual Machine Contributor + Reader", AccessCheck.roleFor(List.of(
        "Microsoft.Compute/virtualMachines/runCommand/action", "Microsoft.Network/virtualNetworks/subnets/read")));
    assertEquals(AccessCheck.CUSTOM_ROLE, AccessCheck.roleFor(List.of("Microsoft.Storage/storageAccounts/write")));
  }

  @Test
  void each_command_needs_what_the_one_before_needs_and_more() {
    assertTrue(Need.INSPECT.actions().containsAll(Need.AZURE_ONLY.actions()));
    assertTrue(Need.REPAIR.actions().containsAll(Need.INSPECT.actions()));
    assertTrue(Need.REPAIR_WITH_START.actions().containsAll(Need.REPAIR.actions()));
    assertEquals(Need.REPAIR.actions(), Need.ROLLBACK.actions());
    assertFalse(AccessCheck.allActions().stream().anyMatch(a -> a.contains("*")), "exact actions, no wildcard");
  }
}
