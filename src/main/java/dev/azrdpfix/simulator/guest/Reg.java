package dev.azrdpfix.simulator.guest;

/** Registry paths the guest model knows, spelled as PowerShell's registry provider and reg.exe spell them. */
final class Reg {
  static final String TS = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server";
  static final String RDP_TCP = TS + "\\WinStations\\RDP-Tcp";
  static final String TS_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services";
  static final String SCHANNEL = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols";
  static final String FIPS = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy\\Enabled";

  static final String DENY = TS + "\\fDenyTSConnections";
  static final String POLICY_DENY = TS_POLICY + "\\fDenyTSConnections";
  static final String PORT = RDP_TCP + "\\PortNumber";
  static final String SECURITY_LAYER = RDP_TCP + "\\SecurityLayer";
  static final String USER_AUTH = RDP_TCP + "\\UserAuthentication";
  static final String MIN_ENCRYPTION = RDP_TCP + "\\MinEncryptionLevel";
  static final String ENABLE_WINSTATION = RDP_TCP + "\\fEnableWinStation";
  static final String BINDING = RDP_TCP + "\\SSLCertificateSHA1Hash";
  static final String TS_ENABLED = TS + "\\TSEnabled";
  static final String TS_USER_ENABLED = TS + "\\TSUserEnabled";
  static final String TS_DRAIN = TS + "\\TSServerDrainMode";
  static final String LOGON_DISABLED = RDP_TCP + "\\fLogonDisabled";
  static final String LAN_ADAPTER = RDP_TCP + "\\LanAdapter";

  static final String[] TLS_VERSIONS = {"1.0", "1.1", "1.2"};

  private Reg() {}

  static String tlsEnabled(String version) {
    return SCHANNEL + "\\TLS " + version + "\\Server\\Enabled";
  }

  static String tlsDisabledByDefault(String version) {
    return SCHANNEL + "\\TLS " + version + "\\Server\\DisabledByDefault";
  }

  /** Where a policy value lives for a GPO-controlled value name. */
  static String policyPath(String valueName) {
    return TS_POLICY + "\\" + valueName;
  }
}
