package dev.azrdpfix.core.nsg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.NsgInfo.NsgRule;
import dev.azrdpfix.core.nsg.NsgEvaluator.Decision;
import dev.azrdpfix.core.nsg.NsgEvaluator.Source;
import dev.azrdpfix.core.nsg.NsgEvaluator.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NsgEvaluatorTest {
  private static final String VM_IP = "10.0.0.4";
  private static final Source INTERNET = new NsgEvaluator.AnyInternet();
  private static final Source OFFICE = NsgEvaluator.Address.parse("198.51.100.7");
  private static final Source ELSEWHERE = NsgEvaluator.Address.parse("203.0.113.200");
  private static final Source PRIVATE = NsgEvaluator.Address.parse("10.1.2.3");

  /** name, access, priority, protocol, sources, destination ports; direction Inbound, destination "*". */
  static NsgRule rule(String name, String access, int priority, String protocol, String sources, String ports) {
    return new NsgRule(name, priority, "Inbound", access, protocol, Arrays.asList(sources.split(",")), List.of(),
        List.of("*"), List.of(), Arrays.asList(ports.split(",")), false);
  }

  static NsgInfo nsg(NsgRule... rules) {
    return new NsgInfo("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n", "n",
        new ArrayList<>(List.of(rules)));
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // case, nsg, source, expected decision, expected deciding rule
        Arguments.of("no custom rule: DenyAllInBound decides", nsg(), INTERNET, Decision.DENY, "DenyAllInBound"),
        Arguments.of("allow 3389 from *", nsg(rule("RDP", "Allow", 300, "Tcp", "*", "3389")), INTERNET,
            Decision.ALLOW, "RDP"),
        Arguments.of("allow from Internet tag", nsg(rule("RDP", "Allow", 300, "Tcp", "Internet", "3389")), INTERNET,
            Decision.ALLOW, "RDP"),
        Arguments.of("allow from 0.0.0.0/0", nsg(rule("RDP", "Allow", 300, "*", "0.0.0.0/0", "3389")), INTERNET,
            Decision.ALLOW, "RDP"),
        Arguments.of("deny at lower priority number wins", nsg(rule("Deny", "Deny", 100, "*", "*", "3389"),
            rule("RDP", "Allow", 200, "Tcp", "*", "3389")), INTERNET, Decision.DENY, "Deny"),
        Arguments.of("allow before deny wins", nsg(rule("RDP", "Allow", 100, "Tcp", "*", "3389"),
            rule("Deny", "Deny", 200, "*", "*", "*")), INTERNET, Decision.ALLOW, "RDP"),
        Arguments.of("UDP-only rule does not admit TCP", nsg(rule("RDP-udp", "Allow", 100, "Udp", "*", "3389")),
            INTERNET, Decision.DENY, "DenyAllInBound"),
        Arguments.of("port range covers 3389", nsg(rule("Range", "Allow", 100, "Tcp", "*", "3000-4000")), INTERNET,
            Decision.ALLOW, "Range"),
        Arguments.of("port range misses 3389", nsg(rule("Range", "Allow", 100, "Tcp", "*", "3390-4000")), INTERNET,
            Decision.DENY, "DenyAllInBound"),
        Arguments.of("port list contains 3389", nsg(rule("List", "Allow", 100, "Tcp", "*", "22,443,3389")), INTERNET,
            Decision.ALLOW, "List"),
        Arguments.of("port * matches", nsg(rule("Any", "Allow", 100, "*", "*", "*")), INTERNET, Decision.ALLOW,
            "Any"),
        Arguments.of("office prefix: internet at large denied", nsg(rule("Office", "Allow", 100, "Tcp",
            "198.51.100.0/24", "3389")), INTERNET, Decision.DENY, "DenyAllInBound"),
        Arguments.of("office prefix admits an office address", nsg(rule("Office", "Allow", 100, "Tcp",
            "198.51.100.0/24", "3389")), OFFICE, Decision.ALLOW, "Office"),
        Arguments.of("office prefix refuses another address", nsg(rule("Office", "Allow", 100, "Tcp",
            "198.51.100.0/24", "3389")), ELSEWHERE, Decision.DENY, "DenyAllInBound"),
        Arguments.of("prefix list admits a member", nsg(rule("Two", "Allow", 100, "Tcp",
            "192.0.2.0/24,198.51.100.7", "3389")), OFFICE, Decision.ALLOW, "Two"),
        Arguments.of("VirtualNetwork tag does not admit the internet", nsg(rule("Vnet", "Allow", 100, "Tcp",
            "VirtualNetwork", "3389")), INTERNET, Decision.DENY, "DenyAllInBound"),
        Arguments.of("VirtualNetwork tag for a private source cannot be evaluated", nsg(rule("Vnet", "Allow", 100,
            "Tcp", "VirtualNetwork", "3389")), PRIVATE, Decision.UNKNOWN, "Vnet"),
        Arguments.of("Internet tag does not match a private source", nsg(rule("Inet", "Allow", 100, "Tcp",
            "Internet", "3389"), rule("Deny", "Deny", 200, "*", "10.0.0.0/8", "*")), PRIVATE, Decision.DENY, "Deny"),
        Arguments.of("source ASG cannot be evaluated", nsg(new NsgRule("Asg", 100, "Inbound", "Allow", "Tcp",
            List.of(), List.of("/asg/jump"), List.of("*"), List.of(), List.of("3389"), false)), OFFICE,
            Decision.UNKNOWN, "Asg"),
        Arguments.of("outbound rules are ignored", nsg(new NsgRule("Out", 100, "Outbound", "Allow", "*",
            List.of("*"), List.of(), List.of("*"), List.of(), List.of("*"), false)), INTERNET, Decision.DENY,
            "DenyAllInBound"),
        Arguments.of("destination prefix must contain the VM", nsg(new NsgRule("OtherVm", 100, "Inbound", "Allow",
            "Tcp", List.of("*"), List.of(), List.of("10.0.9.0/24"), List.of(), List.of("3389"), false)), INTERNET,
            Decision.DENY, "DenyAllInBound"),
        Arguments.of("service tag as source: a specific address cannot be evaluated", nsg(rule("Cloud", "Allow",
            100, "Tcp", "AzureCloud", "3389")), OFFICE, Decision.UNKNOWN, "Cloud"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides_like_azure(String name, NsgInfo nsg, Source source, Decision expected, String rule) {
    Verdict v = NsgEvaluator.evaluateOne(nsg, source, VM_IP, List.of(), 3389);
    assertEquals(expected, v.decision(), v.reason());
    assertEquals(rule, v.ruleName(), v.reason());
  }

  @Test
  void subnet_deny_blocks_even_when_the_nic_allows() {
    NsgInfo nic = nsg(rule("Allow-RDP", "Allow", 100, "Tcp", "*", "3389"));
    NsgInfo subnet = new NsgInfo("/x/subnet-nsg", "subnet-nsg", List.of(rule("Deny-RDP-Inbound", "Deny", 200,
        "Tcp", "*", "3389")));
    Verdict v = NsgEvaluator.evaluate(subnet, nic, INTERNET, VM_IP, List.of(), 3389);
    assertEquals(Decision.DENY, v.decision());
    assertEquals("subnet-nsg", v.nsgName());
    assertEquals("Deny-RDP-Inbound", v.ruleName());
  }

  @Test
  void no_nsg_at_all_allows() {
    assertEquals(Decision.ALLOW, NsgEvaluator.evaluate(null, null, INTERNET, VM_IP, List.of(), 3389).decision());
  }

  @Test
  void both_nsgs_must_allow_and_the_nic_rule_is_named() {
    NsgInfo subnet = new NsgInfo("/x/s", "s", List.of(rule("S", "Allow", 100, "Tcp", "*", "3389")));
    NsgInfo nic = nsg(rule("N", "Allow", 110, "Tcp", "Internet", "3389"));
    Verdict v = NsgEvaluator.evaluate(subnet, nic, INTERNET, VM_IP, List.of(), 3389);
    assertEquals(Decision.ALLOW, v.decision());
    assertEquals("N", v.ruleName());
  }

  @Test
  void destination_asg_matches_when_the_nic_is_a_member() {
    NsgInfo n = nsg(new NsgRule("ToWeb", 100, "Inbound", "Allow", "Tcp", List.of("*"), List.of(), List.of(),
        List.of("/asg/web"), List.of("3389"), false));
    assertEquals(Decision.ALLOW, NsgEvaluator.evaluateOne(n, INTERNET, VM_IP, List.of("/ASG/WEB"), 3389).decision());
    assertEquals(Decision.DENY, NsgEvaluator.evaluateOne(n, INTERNET, VM_IP, List.of("/asg/db"), 3389).decision());
  }

  @Test
  void restricted_prefixes_are_reported_for_the_internet_question() {
    NsgInfo n = nsg(rule("Office", "Allow", 100, "Tcp", "198.51.100.0/24", "3389"));
    assertEquals(List.of("198.51.100.0/24"), NsgEvaluator.partialInternetAllowPrefixes(n, 3389));
  }

  @Test
  void a_malformed_address_is_rejected_without_a_dns_lookup() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NsgEvaluator.Address.parse("999.1.1.1"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NsgEvaluator.Address.parse("example.com"));
  }
}
