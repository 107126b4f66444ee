package dev.azrdpfix.explain;

import static dev.azrdpfix.explain.Commands.INSPECT;
import static dev.azrdpfix.explain.Commands.PROBE;
import static dev.azrdpfix.explain.Commands.REPAIR;

import java.util.List;

/**
 * The ExtendedDisconnectReasonCode values Microsoft documents for the Remote Desktop client's "Extended error code"
 * (IMsRdpClient::ExtendedDisconnectReason). Causes and commands are azrdpfix's triage for an Azure VM.
 */
final class ExtendedReasons {
  static final String SOURCE = "ExtendedDisconnectReasonCode (learn.microsoft.com/windows/win32/termserv)";
  static final String TYPE_LIBRARY = "MsTscAx type library (not on the Learn page)";
  private static final List<String> NONE = List.of();
  private static final String LICENSING = "RDS licensing on the VM (license server, licenses, grace period);"
      + " azrdpfix does not repair licensing";

  private ExtendedReasons() {}

  private static CodeEntry e(long v, String name, String description, String cause, List<String> commands) {
    return new CodeEntry(v, v, "exDiscReason" + name, description, cause, commands, SOURCE);
  }

  static final List<CodeEntry> ALL = List.of(
      e(0, "NoInfo", "No additional information is available.", "nothing more to read: decode the error code", NONE),
      e(1, "APIInitiatedDisconnect", "An application initiated the disconnection.",
          "an administrator tool in another session disconnected you", NONE),
      e(2, "APIInitiatedLogoff", "An application logged off the client.",
          "an administrator tool logged the session off", NONE),
      e(3, "ServerIdleTimeout", "The server disconnected the client because it was idle longer than the limit.",
          "the session idle-time limit (policy or RDP-Tcp settings)", NONE),
      e(4, "ServerLogonTimeout", "The server disconnected the client because it exceeded the period designated"
          + " for connection.", "an active-session or logon time limit", NONE),
      e(5, "ReplacedByOtherConnection", "The client's connection was replaced by another connection.",
          "someone (or you, from another client) connected to the same session", NONE),
      e(6, "OutOfMemory", "No memory is available.", "the VM ran out of memory", List.of(INSPECT)),
      e(7, "ServerDeniedConnection", "The server denied the connection.",
          "the VM refused the connection before any session existed; with error code 0x904 that is the TLS"
              + " stage (certificate, private key, TLS settings)",
          List.of(PROBE, INSPECT, REPAIR)),
      e(8, "ServerDeniedConnectionFips", "The server denied the connection for security reasons.",
          "FIPS policy or MinEncryptionLevel on the VM (inspect reports both; azrdpfix does not change them)",
          List.of(INSPECT)),
      e(9, "ServerInsufficientPrivileges", "The user cannot connect to the server due to insufficient access"
          + " privileges.", "the user is not in Remote Desktop Users or may not log on through Remote Desktop",
          NONE),
      e(10, "ServerFreshCredsRequired", "The server does not accept saved user credentials and requires that the"
          + " user enter their credentials for each connection.", "type the password instead of saved credentials",
          NONE),
      e(11, "RpcInitiatedDisconnectByUser", "The user disconnected through an administrative tool.",
          "someone used an administrator tool", NONE),
      e(12, "LogoffByUser", "The user logged off.", "the user logged off", NONE),
      new CodeEntry(25, 25, "exDiscReasonShutdown", "The server is shutting down.", "the VM is shutting down",
          List.of(INSPECT), TYPE_LIBRARY),
      new CodeEntry(26, 26, "exDiscReasonReboot", "The server is rebooting.", "the VM is restarting",
          List.of(INSPECT), TYPE_LIBRARY),
      e(256, "LicenseInternal", "Internal licensing error.", LICENSING, NONE),
      e(257, "LicenseNoLicenseServer", "No license server was available.", LICENSING, NONE),
      e(258, "LicenseNoLicense", "No valid software license was available.", LICENSING, NONE),
      e(259, "LicenseErrClientMsg", "The remote computer received a non-valid licensing message.", LICENSING, NONE),
      e(260, "LicenseHwidDoesntMatchLicense", "The hardware ID does not match the one designated on the software"
          + " license.", LICENSING, NONE),
      e(261, "LicenseErrClientLicense", "Client license error.", LICENSING, NONE),
      e(262, "LicenseCantFinishProtocol", "Network problems occurred during the licensing protocol.", LICENSING,
          NONE),
      e(263, "LicenseClientEndedProtocol", "The client ended the licensing protocol prematurely.", LICENSING, NONE),
      e(264, "LicenseErrClientEncryption", "A licensing message was encrypted incorrectly.", LICENSING, NONE),
      e(265, "LicenseCantUpgradeLicense", "The local computer's client access license could not be upgraded or"
          + " renewed.", LICENSING, NONE),
      e(266, "LicenseNoRemoteConnections", "The remote computer is not licensed to accept remote connections.",
          LICENSING, NONE),
      e(267, "LicenseCreatingLicStoreAccDenied", "Access was denied while creating the license store.", LICENSING,
          NONE),
      e(768, "RdpEncInvalidCredentials", "Invalid credentials were encountered.", "wrong user name or password",
          NONE),
      new CodeEntry(4096, 32767, "exDiscReasonProtocolRangeStart..exDiscReasonProtocolRangeEnd",
          "An internal protocol error; check the server's event log.",
          "a protocol-level failure inside the RDP session; the VM's event log (TerminalServices-*) says more",
          List.of(INSPECT), SOURCE));
}
