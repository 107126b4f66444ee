package dev.azrdpfix.core.guest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds guest facts for tests: starts from a healthy VM at a fixed call time; each scenario breaks something. */
final class Facts {
  static final Instant CALL_START = Instant.parse("2026-11-23T05:00:00Z");
  static final Instant CALL_END = CALL_START.plusSeconds(25);
  static final String TP = "0123456789ABCDEF0123456789ABCDEF01234567";
  static final String TP2 = "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
  static final String DEFAULT_SDDL = "O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)";

  String time = CALL_START.plusSeconds(10).toString();
  boolean domainJoined = false;
  String domainName = null;
  List<GuestFacts.Cert> certs = new ArrayList<>(List.of(cert(TP, CALL_START.plus(Duration.ofDays(150)), true)));
  Integer certCount = 1;
  String bindingTp = null;
  Boolean bindingFound = null;
  String sddl = DEFAULT_SDDL;
  Boolean isDefault = true;
  Boolean grantsOk = false;
  Boolean rdpKeyReadable = true;
  Boolean corrupt = false;
  Map<String, GuestFacts.Service> services = new LinkedHashMap<>(Map.of(
      "TermService", new GuestFacts.Service("Running", "Manual", "NT Authority\\NetworkService"),
      "SessionEnv", new GuestFacts.Service("Running", "Manual", "localSystem"),
      "w32time", new GuestFacts.Service("Running", "Manual", "NT AUTHORITY\\LocalService")));
  Integer listenerPort = 3389;
  String listenerProcess = "svchost";
  String listenerService = "TermService";
  Integer fDeny = 0;
  Integer policyDeny = null;
  Integer port = 3389;
  Integer securityLayer = 2;
  Integer userAuthentication = 1;
  Integer minEncryptionLevel = 2;
  Integer fEnableWinStation = 1;
  Integer tsEnabled = 1;
  Integer tsUserEnabled = 0;
  Integer tsServerDrainMode = 0;
  Integer fLogonDisabled = 0;
  Integer lanAdapter = 0;
  List<String> gpo = new ArrayList<>();
  Integer tls10 = null;
  Integer tls11 = null;
  Integer tls12 = null;
  Integer tls10Off = null;
  Integer tls11Off = null;
  Integer tls12Off = null;
  Integer fips = 0;
  Map<String, Boolean> profiles = new LinkedHashMap<>(Map.of("Domain", true, "Private", true, "Public", true));
  Map<String, Boolean> rdpRules = new LinkedHashMap<>(Map.of("Domain", true, "Private", true, "Public", true));
  Boolean blockInbound = false;
  List<String> active = new ArrayList<>(List.of("Public"));
  Map<String, Integer> events = new LinkedHashMap<>(Map.of(
      "1057", 0, "1058", 0, "36870", 0, "36871", 0, "36872", 0, "7022", 0));
  Integer mtu = 1500;
  Integer blockRules = 0;
  Integer sessions = 0;
  GuestFacts.Lock lock;
  /** The listener's key: TP, found through WMI, CAPI, its file holding every entry of its build. */
  GuestFacts.RdpKey rdpKey = new GuestFacts.RdpKey(TP, "wmi", "CAPI", "f686aace6942fb7f7ceb231212eef4a4_b7c1",
      "O:SYG:SYD:(A;;FA;;;SY)(A;;FR;;;NS)", List.of(), true);

  static GuestFacts.Cert cert(String tp, Instant notAfter, boolean keyReadable) {
    return new GuestFacts.Cert(tp, "CN=web-01", notAfter.minus(Duration.ofDays(180)).toString(), notAfter.toString(),
        true, true, keyReadable, "Remote Desktop");
  }

  static Facts healthy() {
    return new Facts();
  }

  /** The headline case: MachineKeys ACL broken, expired self-signed certificate with an unreadable key, events. */
  static Facts headline() {
    Facts f = new Facts();
    f.certs = new ArrayList<>(List.of(cert(TP, CALL_START.minus(Duration.ofDays(12)), false)));
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;BA)";
    f.isDefault = false;
    f.grantsOk = false;
    f.rdpKeyReadable = false;
    f.events.put("1057", 2);
    f.events.put("1058", 3);
    f.events.put("36870", 12);
    return f;
  }

  GuestFacts build() {
    return new GuestFacts(time,
        new GuestFacts.Os("Microsoft Windows Server 2022 Datacenter", "20348"),
        new GuestFacts.Domain(domainJoined, domainName),
        certs, certCount,
        new GuestFacts.Binding(bindingTp, bindingFound),
        new GuestFacts.MachineKeys(sddl, isDefault, grantsOk, rdpKeyReadable, corrupt),
        services,
        new GuestFacts.Listener(listenerPort, listenerProcess, listenerService),
        new GuestFacts.Registry(fDeny, policyDeny, port, securityLayer, userAuthentication, minEncryptionLevel,
            fEnableWinStation, tsEnabled, tsUserEnabled, tsServerDrainMode,
            fLogonDisabled, lanAdapter),
        gpo,
        new GuestFacts.Tls(tls10, tls11, tls12),
        fips,
        new GuestFacts.Firewall(profiles, rdpRules, blockInbound, active, blockRules),
        events, mtu, rdpKey, sessions, new GuestFacts.Tls(tls10Off, tls11Off, tls12Off), lock);
  }
}
