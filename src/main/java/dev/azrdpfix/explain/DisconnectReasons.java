package dev.azrdpfix.explain;

import static dev.azrdpfix.explain.Commands.INSPECT;
import static dev.azrdpfix.explain.Commands.PROBE;
import static dev.azrdpfix.explain.Commands.REPAIR;

import java.util.List;

/**
 * The 47 disconnect reasons Microsoft documents for the Remote Desktop client's "Error code" (discReason of
 * IMsTscAxEvents::OnDisconnected). Causes and commands are azrdpfix's triage for an Azure VM.
 */
final class DisconnectReasons {
  static final String SOURCE = "IMsTscAxEvents::OnDisconnected (learn.microsoft.com/windows/win32/termserv)";
  private static final List<String> NONE = List.of();
  private static final String CLIENT = "a problem on the client computer, not the VM";
  private static final String NAME_LOOKUP = "the name does not resolve: a typo, a missing DNS label, or no public IP";
  private static final String TLS_STAGE = "the VM's RDP security setup: certificate, its private key, or the"
      + " security layer";

  private DisconnectReasons() {}

  private static CodeEntry e(long v, String name, String description, String cause, List<String> commands) {
    return new CodeEntry(v, v, "disconnectReason" + name, description, cause, commands, SOURCE);
  }

  /** The SSL_ERR_* codes the page lists from Wincred.h, under their own names (all end in 0x07: the NLA stage). */
  private static CodeEntry ssl(long v, String name, String description, String cause, List<String> commands) {
    return new CodeEntry(v, v, name, description, cause, commands, SOURCE + ", defined in Wincred.h");
  }

  static final List<CodeEntry> ALL = List.of(
      e(0x0, "NoInfo", "No information is available.", "nothing to diagnose", NONE),
      e(0x1, "LocalNotError", "Local disconnection; not an error.", "you closed the connection", NONE),
      e(0x2, "RemoteByUser", "Remote disconnection by user; not an error.",
          "someone logged off or disconnected the session", NONE),
      e(0x3, "ByServer", "Remote disconnection by server; not an error.",
          "the server ended the session: the extended error code says why", NONE),
      e(0x104, "DNSLookupFailed", "DNS name lookup failure.", NAME_LOOKUP, List.of(INSPECT)),
      e(0x106, "OutOfMemory", "Out of memory.", CLIENT, NONE),
      e(0x108, "ConnectionTimedOut", "Connection timed out.",
          "packets to the RDP port are dropped: NSG rule, guest firewall, VM stopped or no public IP",
          List.of(PROBE, INSPECT, REPAIR)),
      e(0x204, "SocketConnectFailed", "Windows Sockets connect failed.",
          "nothing listens or is allowed on the port: NSG, guest firewall, TermService stopped, RDP disabled"
              + " (fDenyTSConnections=1) or the listener disabled",
          List.of(PROBE, INSPECT, REPAIR)),
      e(0x206, "OutOfMemory2", "Out of memory.", CLIENT, NONE),
      e(0x208, "HostNotFound", "Host not found error.", NAME_LOOKUP, List.of(INSPECT)),
      e(0x304, "WinsockSendFailed", "Windows Sockets send call failed.",
          "the network path broke while sending", List.of(PROBE)),
      e(0x306, "OutOfMemory3", "Out of memory.", CLIENT, NONE),
      e(0x308, "InvalidIPAddr", "Invalid IP address specified.", "the address typed is not valid", NONE),
      e(0x404, "SocketRecvFailed", "Windows Sockets recv call failed.",
          "the connection broke mid-stream (network path or the RDP listener)", List.of(PROBE)),
      e(0x406, "InvalidSecurityData", "Invalid security data.",
          "security-layer mismatch between client and VM", List.of(PROBE, INSPECT)),
      e(0x408, "InternalError", "Internal error.", CLIENT, NONE),
      e(0x506, "InvalidEncryption", "The encryption method specified is not valid.",
          "MinEncryptionLevel or FIPS policy on the VM does not match the client (inspect reports both;"
              + " azrdpfix does not change them)",
          List.of(INSPECT)),
      e(0x508, "DNSLookupFailed2", "DNS lookup failed.", NAME_LOOKUP, List.of(INSPECT)),
      e(0x604, "GetHostByNameFailed", "Windows Sockets gethostbyname call failed.", NAME_LOOKUP, List.of(INSPECT)),
      e(0x606, "InvalidServerSecurityInfo", "Invalid server security data.", TLS_STAGE,
          List.of(PROBE, INSPECT, REPAIR)),
      e(0x608, "TimerError", "Internal timer error.", CLIENT, NONE),
      e(0x704, "TimeoutOccurred", "Time-out occurred.",
          "the VM stalled during connection setup (TermService busy or hung)", List.of(PROBE, REPAIR)),
      e(0x706, "ServerCertificateUnpackErr", "Failed to unpack server certificate.",
          "the VM's RDP certificate is broken", List.of(PROBE, REPAIR)),
      e(0x804, "InvalidIP", "Bad IP address specified.", "the address typed is not valid", NONE),
      ssl(0x807, "SSL_ERR_LOGON_FAILURE", "Login failed.",
          "wrong user name or password", NONE),
      e(0x808, "LicensingFailed", "License negotiation failed.",
          "RDS licensing on the VM (license server, grace period); azrdpfix does not repair licensing", NONE),
      e(0x904, "AtClientWinsockFDCLOSE", "Socket closed.",
          "the VM dropped the TCP connection during connection setup, typically in the TLS stage: the RDP"
              + " certificate or its private key is unusable (MachineKeys permissions), the certificate is expired"
              + " or corrupted, or TLS is disabled in SCHANNEL",
          List.of(PROBE, INSPECT, REPAIR)),
      e(0x906, "InternalSecurityError", "Internal security error.", TLS_STAGE, List.of(PROBE, INSPECT, REPAIR)),
      e(0x908, "LicensingTimeout", "Licensing time-out.",
          "RDS licensing on the VM did not answer in time; azrdpfix does not repair licensing", NONE),
      e(0xA06, "InternalSecurityError2", "Internal security error.", TLS_STAGE, List.of(PROBE, INSPECT, REPAIR)),
      ssl(0xA07, "SSL_ERR_NO_SUCH_USER", "The specified user has no account.",
          "the user name does not exist on the VM (or the domain)", NONE),
      e(0xB06, "EncryptionError", "Encryption error.", "security layer or encryption settings", List.of(PROBE)),
      ssl(0xB07, "SSL_ERR_ACCOUNT_DISABLED", "The account is disabled.", "the account is disabled", NONE),
      e(0xC06, "DecryptionError", "Decryption error.", "security layer or encryption settings", List.of(PROBE)),
      ssl(0xC07, "SSL_ERR_ACCOUNT_RESTRICTION", "The account is restricted.",
          "an account restriction (logon hours, blank password)", NONE),
      e(0xC08, "ClientDecompressionError", "Decompression error.", CLIENT, NONE),
      ssl(0xD07, "SSL_ERR_ACCOUNT_LOCKED_OUT", "The account is locked out.",
          "too many failed logons locked the account",
          NONE),
      ssl(0xE07, "SSL_ERR_ACCOUNT_EXPIRED", "The account is expired.", "the account expired", NONE),
      ssl(0xF07, "SSL_ERR_PASSWORD_EXPIRED", "The password is expired.", "the password expired", NONE),
      ssl(0x1207, "SSL_ERR_PASSWORD_MUST_CHANGE",
          "The user password must be changed before logging on for the first time.",
          "the password must be changed at first logon", NONE),
      ssl(0x1607, "SSL_ERR_DELEGATION_POLICY", "The policy does not support delegation of credentials to the target"
          + " server.", "the client's CredSSP delegation policy", NONE),
      ssl(0x1707, "SSL_ERR_POLICY_NTLM_ONLY", "Delegation of credentials to the target server is not allowed unless"
          + " mutual authentication has been achieved.", "NTLM-only authentication to an IP address target", NONE),
      ssl(0x1807, "SSL_ERR_NO_AUTHENTICATING_AUTHORITY", "No authority could be contacted for authentication.",
          "a domain-joined VM cannot reach a domain controller, or its secure channel is broken",
          List.of(PROBE, INSPECT)),
      ssl(0x1B07, "SSL_ERR_CERT_EXPIRED", "The received certificate is expired.",
          "the VM's RDP certificate has expired",
          List.of(PROBE, REPAIR)),
      ssl(0x1C07, "SSL_ERR_SMARTCARD_WRONG_PIN", "An incorrect PIN was presented to the smart card.", CLIENT, NONE),
      ssl(0x2107, "SSL_ERR_FRESH_CRED_REQUIRED_BY_SERVER", "The server authentication policy does not allow connection"
          + " requests using saved credentials.", "type the password instead of using saved credentials", NONE),
      ssl(0x2207, "SSL_ERR_SMARTCARD_CARD_BLOCKED", "The smart card is blocked.", CLIENT, NONE));
}
