package dev.azrdpfix.core.model;

import java.util.List;

/** A network security group with its custom and default rules. */
public record NsgInfo(String id, String name, List<NsgRule> rules) {

  /** One security rule, flattened: single and plural ARM fields are merged into lists. */
  public record NsgRule(
      String name,
      int priority,
      String direction,
      String access,
      String protocol,
      List<String> sourcePrefixes,
      List<String> sourceApplicationSecurityGroupIds,
      List<String> destinationPrefixes,
      List<String> destinationApplicationSecurityGroupIds,
      List<String> destinationPorts,
      boolean isDefault) {

    public boolean inbound() {
      return "Inbound".equalsIgnoreCase(direction);
    }

    public boolean allows() {
      return "Allow".equalsIgnoreCase(access);
    }
  }
}
