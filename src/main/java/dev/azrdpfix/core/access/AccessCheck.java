package dev.azrdpfix.core.access;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.inspect.VmResolver;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.PermissionReader;
import dev.azrdpfix.core.port.PermissionReader.Permission;
import dev.azrdpfix.core.port.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code check-access}: which Azure actions a command needs (the one home of that list: the README table and
 * {@code samples/azrdpfix-operator-role.json} are tied to it by a test), and which of them the current identity
 * lacks at the VM's scope, from the permissions API, before anything is changed.
 */
public final class AccessCheck {

  /** The commands whose needs differ. */
  public enum Need {
    AZURE_ONLY("inspect --azure-only"), INSPECT("inspect"), REPAIR("repair"), REPAIR_WITH_START(
        "repair --start"), ROLLBACK("rollback");

    private final String label;

    Need(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** The exact Azure actions, in the order the command uses them. */
    public List<String> actions() {
      return ACTIONS.get(this);
    }
  }

  private static final List<String> READ = List.of(
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Network/networkInterfaces/read",
      "Microsoft.Network/networkSecurityGroups/read",
      "Microsoft.Network/publicIPAddresses/read",
      "Microsoft.Network/virtualNetworks/subnets/read");
  private static final List<String> RUN_COMMAND = List.of(
      "Microsoft.Compute/virtualMachines/runCommand/action",
      "Microsoft.Compute/locations/operations/read");
  private static final List<String> CHANGE = List.of(
      "Microsoft.Compute/virtualMachines/instanceView/read",
      "Microsoft.Compute/virtualMachines/restart/action",
      "Microsoft.Compute/virtualMachines/reapply/action");
  private static final Map<Need, List<String>> ACTIONS = new LinkedHashMap<>();

  static {
    ACTIONS.put(Need.AZURE_ONLY, READ);
    ACTIONS.put(Need.INSPECT, concat(READ, RUN_COMMAND));
    ACTIONS.put(Need.REPAIR, concat(READ, RUN_COMMAND, CHANGE));
    ACTIONS.put(Need.REPAIR_WITH_START, concat(READ, RUN_COMMAND, CHANGE,
        List.of("Microsoft.Compute/virtualMachines/start/action")));
    ACTIONS.put(Need.ROLLBACK, concat(READ, RUN_COMMAND, CHANGE));
  }

  /**
   * Built-in roles we suggest, with the part of their definition that matters here (Microsoft's built-in role
   * list; Virtual Machine Contributor grants the VNet itself but not {@code virtualNetworks/subnets/read}).
   */
  public static final Map<String, List<String>> BUILT_IN_ROLES = new LinkedHashMap<>();

  static {
    BUILT_IN_ROLES.put("Reader", List.of("*/read"));
    BUILT_IN_ROLES.put("Virtual Machine Contributor", List.of("Microsoft.Compute/virtualMachines/*",
        "Microsoft.Compute/locations/*", "Microsoft.Network/networkInterfaces/*",
        "Microsoft.Network/networkSecurityGroups/read", "Microsoft.Network/publicIPAddresses/read",
        "Microsoft.Network/virtualNetworks/read"));
  }

  /** Every action any command needs: the content of the least-privilege custom role. */
  public static Set<String> allActions() {
    Set<String> all = new LinkedHashSet<>();
    ACTIONS.values().forEach(all::addAll);
    return all;
  }

  /** The result: what was checked, where, what is missing, and a built-in role (or two) that grants it. */
  public record Result(String target, Need need, List<String> required, List<String> missing, String role) {
    public ExitCode exitCode() {
      return missing.isEmpty() ? ExitCode.OK : ExitCode.PRECONDITION;
    }
  }

  private final AzureGateway azure;
  private final PermissionReader permissions;
  private final Progress progress;

  public AccessCheck(AzureGateway azure, PermissionReader permissions, Progress progress) {
    this.azure = azure;
    this.permissions = permissions;
    this.progress = progress;
  }

  public Result run(VmRef ref, Need need) {
    VmRef vm = new VmResolver(azure, progress).resolve(ref);
    progress.step("Reading the permissions of the current identity on " + vm.display() + "...");
    List<Permission> granted = permissions.permissionsAt(vm);
    List<String> missing = missing(need.actions(), granted);
    return new Result(vm.display(), need, need.actions(), missing, roleFor(missing));
  }

  /** The required actions that no permission entry allows (allowed: matched by an action, not by its notActions). */
  public static List<String> missing(List<String> required, List<Permission> granted) {
    List<String> out = new ArrayList<>();
    for (String action : required) {
      boolean allowed = granted.stream().anyMatch(p -> p.actions().stream().anyMatch(a -> matches(a, action))
          && p.notActions().stream().noneMatch(n -> matches(n, action)));
      if (!allowed) {
        out.add(action);
      }
    }
    return out;
  }

  /** ARM action patterns: case-insensitive, {@code *} matches any run of characters, {@code /} included. */
  public static boolean matches(String pattern, String action) {
    StringBuilder re = new StringBuilder();
    String[] parts = pattern.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE).matcher(action).matches();
  }

  /** The smallest built-in role, or the pair, that grants every missing action; null when nothing is missing. */
  public static String roleFor(List<String> missing) {
    if (missing.isEmpty()) {
      return null;
    }
    List<Permission> all = new ArrayList<>();
    for (var role : BUILT_IN_ROLES.entrySet()) {
      Permission p = new Permission(role.getValue(), List.of());
      if (missing(missing, List.of(p)).isEmpty()) {
        return role.getKey();
      }
      all.add(p);
    }
    if (missing(missing, all).isEmpty()) {
      return "Virtual Machine Contributor + Reader";
    }
    return CUSTOM_ROLE;
  }

  /** The least-privilege custom role shipped in samples/. */
  public static final String CUSTOM_ROLE = "azrdpfix operator (samples/azrdpfix-operator-role.json)";

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> l : lists) {
      all.addAll(l);
    }
    return List.copyOf(all);
  }

  /** Parses the {@code --for} value. */
  public static Need need(String text, boolean start) {
    String t = text.toLowerCase(Locale.ROOT);
    return switch (t) {
      case "azure-only", "inspect-azure-only" -> Need.AZURE_ONLY;
      case "inspect" -> Need.INSPECT;
      case "repair" -> start ? Need.REPAIR_WITH_START : Need.REPAIR;
      case "rollback" -> Need.ROLLBACK;
      default -> throw AzrdpfixException.usage("--for '" + text + "' is not a command azrdpfix checks: use inspect,"
          + " azure-only, repair or rollback.");
    };
  }
}
