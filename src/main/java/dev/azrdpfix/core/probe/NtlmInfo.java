package dev.azrdpfix.core.probe;

/**
 * What the server's NTLM CHALLENGE revealed (no credentials are sent to get it).
 *
 * @param targetName the CHALLENGE TargetName
 * @param netbiosComputerName MsvAvNbComputerName
 * @param netbiosDomainName MsvAvNbDomainName
 * @param dnsComputerName MsvAvDnsComputerName
 * @param dnsDomainName MsvAvDnsDomainName
 * @param dnsTreeName MsvAvDnsTreeName
 * @param osVersion major.minor.build from the Version field, e.g. 10.0.17763; null if absent
 * @param serverTime ISO-8601 instant from MsvAvTimestamp; null if absent
 * @param clockSkewMillis server time minus our clock when the CHALLENGE arrived; null if no timestamp
 */
public record NtlmInfo(
    String targetName,
    String netbiosComputerName,
    String netbiosDomainName,
    String dnsComputerName,
    String dnsDomainName,
    String dnsTreeName,
    String osVersion,
    String serverTime,
    Long clockSkewMillis) {}
