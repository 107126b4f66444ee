package dev.azrdpfix.core.port;

import dev.azrdpfix.core.model.VmRef;
import java.util.List;

/** What the current identity may do at a VM's scope, as Azure's permissions API reports it. */
public interface PermissionReader {

  /** The permission entries (one per role assignment that applies) at the VM's scope, inherited ones included. */
  List<Permission> permissionsAt(VmRef vm);

  /** One entry: allowed action patterns and the patterns excluded from them ({@code *} is a wildcard). */
  record Permission(List<String> actions, List<String> notActions) {
    public Permission {
      actions = actions == null ? List.of() : List.copyOf(actions);
      notActions = notActions == null ? List.of() : List.copyOf(notActions);
    }
  }
}
