package dev.azrdpfix.core.nsg;

import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.NsgInfo.NsgRule;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether inbound TCP to a port passes a VM's NSGs, the way Azure evaluates them: subnet NSG first, then the
 * NIC NSG; in each, inbound rules by priority and the first match decides; both must allow. It never guesses: rules
 * it cannot evaluate (application security groups, service tags other than Internet/VirtualNetwork/
 * AzureLoadBalancer, a private source against VirtualNetwork) give {@link Decision#UNKNOWN} naming the rule.
 */
public final class NsgEvaluator {

  /** The outcome of evaluating one source. */
  public enum Decision {
    ALLOW, DENY, UNKNOWN
  }

  /** Who is connecting: any internet address, or one address. */
  public sealed interface Source permits AnyInternet, Address {}

  /** "Anyone on the internet": only rules whose source covers every public address decide. */
  public record AnyInternet() implements Source {}

  /** One concrete source address (IPv4 or IPv6). */
  public record Address(InetAddress address) implements Source {
    public static Address parse(String text) {
      return new Address(parseIp(text));
    }
  }

  /** The decision, the NSG and rule that made it (null when no NSG is attached), and why. */
  public record Verdict(Decision decision, String nsgName, String ruleName, Integer rulePriority, String reason) {}

  private enum Match {
    YES, NO, PARTIAL, UNKNOWN
  }

  private static final InetAddress AZURE_LB = parseIp("168.63.129.16");

  private NsgEvaluator() {}

  /**
   * Evaluates inbound TCP to {@code port} on {@code destinationIp} through the subnet NSG then the NIC NSG (either may
   * be null). {@code nicAsgIds} are the ASG memberships of the VM's NIC, used for destination ASG rules.
   */
  public static Verdict evaluate(
      NsgInfo subnetNsg, NsgInfo nicNsg, Source source, String destinationIp, List<String> nicAsgIds, int port) {
    Verdict subnet = subnetNsg == null ? null : evaluateOne(subnetNsg, source, destinationIp, nicAsgIds, port);
    Verdict nic = nicNsg == null ? null : evaluateOne(nicNsg, source, destinationIp, nicAsgIds, port);
    if (subnet == null && nic == null) {
      return new Verdict(Decision.ALLOW, null, null, null, "no NSG on the NIC or its subnet");
    }
    for (Verdict v : new Verdict[] {subnet, nic}) {
      if (v != null && v.decision() == Decision.DENY) {
        return v;
      }
    }
    for (Verdict v : new Verdict[] {subnet, nic}) {
      if (v != null && v.decision() == Decision.UNKNOWN) {
        return v;
      }
    }
    return nic != null ? nic : subnet;
  }

  /** Evaluates one NSG. */
  public static Verdict evaluateOne(
      NsgInfo nsg, Source source, String destinationIp, List<String> nicAsgIds, int port) {
    List<NsgRule> rules = new ArrayList<>(effectiveRules(nsg));
    rules.sort(Comparator.comparingInt(NsgRule::priority));
    List<String> partialAllows = new ArrayList<>();
    for (NsgRule rule : rules) {
      if (!rule.inbound() || !protocolMatches(rule.protocol()) || !portMatches(rule.destinationPorts(), port)) {
        continue;
      }
      Match dest = destinationMatches(rule, destinationIp, nicAsgIds);
      if (dest == Match.NO) {
        continue;
      }
      Match src = sourceMatches(rule, source);
      if (src == Match.NO) {
        continue;
      }
      if (src == Match.PARTIAL) {
        if (rule.allows()) {
          partialAllows.add(rule.name());
        }
        continue;
      }
      if (src == Match.UNKNOWN || dest == Match.UNKNOWN) {
        return new Verdict(
            Decision.UNKNOWN, nsg.name(), rule.name(), rule.priority(),
            "rule '" + rule.name() + "' (priority " + rule.priority() + ") uses "
                + describeUnknown(rule, src, dest) + ", which cannot be evaluated from here");
      }
      Decision d = rule.allows() ? Decision.ALLOW : Decision.DENY;
      String reason = (rule.allows() ? "allowed" : "denied") + " by rule '" + rule.name() + "' (priority "
          + rule.priority() + ")";
      if (d == Decision.DENY && !partialAllows.isEmpty()) {
        reason += "; only sources matched by " + String.join(", ", partialAllows) + " are allowed";
      }
      return new Verdict(d, nsg.name(), rule.name(), rule.priority(), reason);
    }
    // Unreachable with the default DenyAllInBound in place; kept for NSG bodies without defaults.
    return new Verdict(Decision.DENY, nsg.name(), null, null, "no rule matched (implicit deny)");
  }

  /**
   * The allow rules that let only some internet sources in, as candidate source prefixes. Used to tell "restricted
   * to your office range" apart from "blocked".
   */
  public static List<String> partialInternetAllowPrefixes(NsgInfo nsg, int port) {
    List<String> out = new ArrayList<>();
    if (nsg == null) {
      return out;
    }
    for (NsgRule rule : effectiveRules(nsg)) {
      if (rule.inbound() && rule.allows() && protocolMatches(rule.protocol())
          && portMatches(rule.destinationPorts(), port)
          && sourceMatches(rule, new AnyInternet()) == Match.PARTIAL) {
        for (String p : rule.sourcePrefixes()) {
          if (isIpOrCidr(p) && isPublic(parseIp(p.contains("/") ? p.substring(0, p.indexOf('/')) : p))) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  /** The NSG's rules, with Azure's default inbound rules added when the body did not carry them. */
  static List<NsgRule> effectiveRules(NsgInfo nsg) {
    List<NsgRule> rules = new ArrayList<>(nsg.rules());
    if (rules.stream().noneMatch(NsgRule::isDefault)) {
      rules.add(defaultRule("AllowVnetInBound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork"));
      rules.add(defaultRule("AllowAzureLoadBalancerInBound", 65001, "Allow", "AzureLoadBalancer", "*"));
      rules.add(defaultRule("DenyAllInBound", 65500, "Deny", "*", "*"));
    }
    return rules;
  }

  private static NsgRule defaultRule(String name, int priority, String access, String source, String dest) {
    return new NsgRule(
        name, priority, "Inbound", access, "*", List.of(source), List.of(), List.of(dest), List.of(), List.of("*"),
        true);
  }

  private static String describeUnknown(NsgRule rule, Match src, Match dest) {
    if (!rule.sourceApplicationSecurityGroupIds().isEmpty() && src == Match.UNKNOWN) {
      return "a source application security group";
    }
    if (!rule.destinationApplicationSecurityGroupIds().isEmpty() && dest == Match.UNKNOWN) {
      return "a destination application security group";
    }
    if (src == Match.UNKNOWN) {
      return "source " + String.join(",", rule.sourcePrefixes());
    }
    return "destination " + String.join(",", rule.destinationPrefixes());
  }

  static boolean protocolMatches(String protocol) {
    return protocol == null || protocol.equals("*") || protocol.equalsIgnoreCase("Tcp");
  }

  static boolean portMatches(List<String> ranges, int port) {
    for (String r : ranges) {
      String s = r.trim();
      if (s.equals("*")) {
        return true;
      }
      int dash = s.indexOf('-');
      try {
        if (dash > 0) {
          int lo = Integer.parseInt(s.substring(0, dash).trim());
          int hi = Integer.parseInt(s.substring(dash + 1).trim());
          if (port >= lo && port <= hi) {
            return true;
          }
        } else if (Integer.parseInt(s) == port) {
          return true;
        }
      } catch (NumberFormatException e) {
        // A malformed range never matches; ARM rejects such rules anyway.
      }
    }
    return false;
  }

  private static Match destinationMatches(NsgRule rule, String destinationIp, List<String> nicAsgIds) {
    if (!rule.destinationApplicationSecurityGroupIds().isEmpty()) {
      if (nicAsgIds == null) {
        return Match.UNKNOWN;
      }
      for (String asg : rule.destinationApplicationSecurityGroupIds()) {
        if (nicAsgIds.stream().anyMatch(a -> a.equalsIgnoreCase(asg))) {
          return Match.YES;
        }
      }
      return Match.NO;
    }
    Match best = Match.NO;
    for (String p : rule.destinationPrefixes()) {
      String v = p.trim();
      if (v.equals("*") || v.equalsIgnoreCase("Any") || v.equalsIgnoreCase("VirtualNetwork")) {
        return Match.YES; // the VM's own private IP is always inside its VNet
      }
      if (isIpOrCidr(v)) {
        if (destinationIp != null && contains(v, parseIp(destinationIp))) {
          return Match.YES;
        }
      } else {
        best = Match.UNKNOWN; // another service tag as destination
      }
    }
    return best;
  }

  private static Match sourceMatches(NsgRule rule, Source source) {
    if (!rule.sourceApplicationSecurityGroupIds().isEmpty()) {
      return Match.UNKNOWN;
    }
    Match best = Match.NO;
    for (String p : rule.sourcePrefixes()) {
      Match m = sourcePrefixMatches(p.trim(), source);
      if (m == Match.YES) {
        return Match.YES;
      }
      if (m == Match.UNKNOWN || (m == Match.PARTIAL && best == Match.NO)) {
        best = m;
      }
    }
    return best;
  }

  private static Match sourcePrefixMatches(String prefix, Source source) {
    String tag = prefix.toLowerCase(Locale.ROOT);
    boolean any = tag.equals("*") || tag.equals("any") || tag.equals("0.0.0.0/0") || tag.equals("::/0");
    if (source instanceof AnyInternet) {
      if (any || tag.equals("internet")) {
        return Match.YES;
      }
      if (tag.equals("virtualnetwork") || tag.equals("azureloadbalancer")) {
        return Match.NO;
      }
      if (isIpOrCidr(prefix)) {
        String base = prefix.contains("/") ? prefix.substring(0, prefix.indexOf('/')) : prefix;
        return isPublic(parseIp(base)) ? Match.PARTIAL : Match.NO;
      }
      return Match.PARTIAL; // a service tag covers some public ranges
    }
    InetAddress addr = ((Address) source).address();
    if (any) {
      return Match.YES;
    }
    if (tag.equals("internet")) {
      return isPublic(addr) ? Match.YES : Match.NO;
    }
    if (tag.equals("azureloadbalancer")) {
      return addr.equals(AZURE_LB) ? Match.YES : Match.NO;
    }
    if (tag.equals("virtualnetwork")) {
      return isPublic(addr) ? Match.NO : Match.UNKNOWN; // VNet address space is not known here
    }
    if (isIpOrCidr(prefix)) {
      return contains(prefix, addr) ? Match.YES : Match.NO;
    }
    return Match.UNKNOWN;
  }

  static boolean isIpOrCidr(String s) {
    return s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?")
        || s.matches("[0-9a-fA-F:]+:[0-9a-fA-F:.]*(/[0-9]{1,3})?");
  }

  static boolean contains(String cidr, InetAddress addr) {
    String base = cidr;
    int bits;
    int slash = cidr.indexOf('/');
    InetAddress net;
    if (slash >= 0) {
      base = cidr.substring(0, slash);
      net = parseIp(base);
      bits = Integer.parseInt(cidr.substring(slash + 1));
    } else {
      net = parseIp(base);
      bits = net.getAddress().length * 8;
    }
    byte[] a = addr.getAddress();
    byte[] n = net.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int total = a.length * 8;
    if (bits > total) {
      return false;
    }
    BigInteger mask = bits == 0 ? BigInteger.ZERO
        : BigInteger.ONE.shiftLeft(total).subtract(BigInteger.ONE).shiftRight(total - bits).shiftLeft(total - bits);
    return new BigInteger(1, a).and(mask).equals(new BigInteger(1, n).and(mask));
  }

  /** Public means routable on the internet: not private, loopback, link-local, CGNAT, multicast or unspecified. */
  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (b.length == 4) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 100 && second >= 64 && second < 128) {
        return false; // CGNAT 100.64.0.0/10
      }
      return first != 0;
    }
    return (b[0] & 0xfe) != 0xfc; // IPv6 unique local fc00::/7
  }

  static InetAddress parseIp(String text) {
    String t = text.trim();
    try {
      if (t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
        String[] parts = t.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          int v = Integer.parseInt(parts[i]);
          if (v > 255) {
            throw new IllegalArgumentException("not an IP address: " + text);
          }
          b[i] = (byte) v;
        }
        return InetAddress.getByAddress(b);
      }
      if (!t.contains(":") || !t.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an IP address: " + text);
      }
      return InetAddress.getByName(t); // an IPv6 literal: parsed, never looked up in DNS
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + text, e);
    }
  }
}
