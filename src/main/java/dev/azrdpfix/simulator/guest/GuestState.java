package dev.azrdpfix.simulator.guest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the simulated Windows guest remembers, serialised with Jackson as the simulator's state file. It is a
 * mutable bag on purpose: templates change it in place, step by step, exactly as a real script changes a VM.
 */
final class GuestState {
  public String computerName;
  public String osCaption = "Microsoft Windows Server 2022 Datacenter";
  public String osBuild = "20348";
  /** Guest clock minus real time. */
  public long clockOffsetSeconds;
  public boolean domainJoined;
  public String domainName;
  /** Registry value names a GPO enforces, with the enforced value (re-applied by gpupdate and at boot). */
  public Map<String, Integer> gpoValues = new TreeMap<>();
  /** Registry values by full path ({@code HKLM\...\Key\Value}); Integer for DWORD, String for binary as hex. */
  public Map<String, Object> registry = new TreeMap<>();
  public List<Cert> certs = new ArrayList<>();
  public Folder machineKeys = new Folder();
  /** PKCS#8 bytes of each key container, by file name, wherever the file now lives. */
  public Map<String, byte[]> keyMaterial = new TreeMap<>();
  /** Renamed MachineKeys folders by their folder name, e.g. {@code MachineKeys.azrdpfix-<RunId>}. */
  public Map<String, Folder> machineKeyBackups = new TreeMap<>();
  /**
   * Thumbprints of expired certificates Windows fails to replace (event 1058 "object already exists": their key
   * container name collides); only deleting the certificate lets Windows issue a new one.
   */
  public java.util.Set<String> renewalBlocked = new java.util.TreeSet<>();
  public Map<String, Service> services = new LinkedHashMap<>();
  public Firewall firewall = new Firewall();
  public List<Event> events = new ArrayList<>();
  public int mtu = 1500;
  public boolean agentReady = true;
  /** Files the templates wrote, by full Windows path (content is text; binary content is base64). */
  public Map<String, String> files = new TreeMap<>();
  /** The certificate TermService loaded when it last started (the listener serves it until the next start). */
  public String listenerThumbprint;
  /** SCHANNEL server protocol settings as they were read at the last boot ({@code null} = not set = enabled). */
  public Map<String, Integer> tlsAtBoot = new TreeMap<>();
  /** Signed-in RDP sessions (Win32_LogonSession, LogonType 10); a TermService restart drops them. */
  public int sessions;
  /**
   * Owner SID of a {@code C:\ProgramData\azrdpfix} folder someone else created before azrdpfix did (null: absent or
   * azrdpfix's own, SYSTEM-owned and protected). Initialize-AzrdpfixBackup refuses to write backups into it.
   */
  public String backupRootSquatter;
  /**
   * A repair step that fails midway on this VM, after its first change (journaled) and before the rest: models a
   * real-world failure in the middle of a step, so rollback of a half-done run can be tested. Null: none.
   */
  public String failsMidway;

  /** One certificate in {@code Cert:\LocalMachine\Remote Desktop} or {@code \My}. */
  static final class Cert {
    public String store;
    public String thumbprint;
    public String subject;
    public String notBefore;
    public String notAfter;
    public boolean selfSigned = true;
    public byte[] der;
    /** Name of the key container file in MachineKeys (null = no private key). */
    public String keyFile;
    public boolean keyExportable;
  }

  /** A MachineKeys folder: its ACL and the key container files in it. */
  static final class Folder {
    public String sddl = Acl.DEFAULT_MACHINEKEYS_SDDL;
    /** Key files in it are damaged: reading them fails for everyone, whatever the ACL. */
    public boolean corrupt;
    public List<String> keyFiles = new ArrayList<>();
    /** The ACL of key files whose ACL is not the healthy one of the build, by file name. */
    public Map<String, String> keyFileSddl = new TreeMap<>();
  }

  /** A Windows service. */
  static final class Service {
    public String state;
    public String start;
    public String account;
    /** A service that hangs in StartPending whenever it is started (event 7022). */
    public boolean hangsOnStart;
    public int pid = 1000;

    Service() {}

    Service(String state, String start, String account) {
      this.state = state;
      this.start = start;
      this.account = account;
    }
  }

  /** Windows Defender Firewall: profiles, whether they apply allow rules, and the Remote Desktop rule group. */
  static final class Firewall {
    public Map<String, Boolean> profiles = new LinkedHashMap<>();
    /** AllowInboundRules per profile (false = "block all inbound", allow rules ignored). */
    public Map<String, Boolean> allowInboundRules = new LinkedHashMap<>();
    /** The inbound allow rules of the Remote Desktop group, by rule name. */
    public Map<String, Rule> rdpRules = new LinkedHashMap<>();
    /** The category of the VM's network (Azure workgroup VMs land on Public, domain members on Domain). */
    public String activeProfile = "Public";
    /** Enabled inbound Block rules whose port filter covers the RDP port (they win over every allow rule). */
    public int blockRules;
  }

  /** One firewall rule: enabled, and the profiles it covers ("Any" or a comma list). */
  static final class Rule {
    public boolean enabled;
    public String profile = "Any";
    public boolean tcp3389;

    Rule() {}

    Rule(boolean enabled, boolean tcp3389) {
      this.enabled = enabled;
      this.tcp3389 = tcp3389;
    }

    boolean covers(String p) {
      return profile.equals("Any") || profile.contains(p);
    }
  }

  /** One System log entry. */
  static final class Event {
    public int id;
    public String time;
    public String message;

    Event() {}

    Event(int id, String time, String message) {
      this.id = id;
      this.time = time;
      this.message = message;
    }
  }
}
