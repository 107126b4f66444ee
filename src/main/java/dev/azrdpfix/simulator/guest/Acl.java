package dev.azrdpfix.simulator.guest;

import dev.azrdpfix.contract.WindowsFacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough SDDL for the MachineKeys folder and the RDP key file: entries per SID unioned, generic rights mapped to
 * file rights (as the helpers' Get-AzrdpfixAccess does), and the per-build entries of the listener's key file.
 */
final class Acl {
  /** The default MachineKeys SDDL VM assist compares against. */
  static final String DEFAULT_MACHINEKEYS_SDDL = WindowsFacts.DEFAULT_MACHINEKEYS_SDDL;
  /** A hardened-by-hand ACL seen on broken VMs: only Administrators (SYSTEM is one), NETWORK SERVICE locked out. */
  static final String BROKEN_MACHINEKEYS_SDDL = "O:BAG:SYD:PAI(A;;FA;;;BA)";
  /** A key file the same hardening reached: Administrators only. */
  static final String BROKEN_KEY_SDDL = "O:BAG:SYD:(A;;FA;;;BA)";

  static final String SYSTEM = "S-1-5-18";
  static final String NETWORK_SERVICE = "S-1-5-20";
  static final String ADMINISTRATORS = "S-1-5-32-544";
  static final String EVERYONE = "S-1-1-0";
  static final String SESSION_ENV = "S-1-5-80-4022436659-1090538466-1613889075-870485073-3428993833";
  static final long FULL = 0x1F01FF;
  static final long READ = 0x120089;
  static final long FOLDER_CREATE_READ = 0x12019F;
  private static final long READ_DATA = 0x1;
  /** Who TermService (NETWORK SERVICE) reads a key file as. */
  private static final List<String> READERS =
      List.of(NETWORK_SERVICE, EVERYONE, "S-1-5-11", "S-1-5-32-545", "S-1-5-6");
  /** Deny entries on these SIDs block key users and the repairs. */
  private static final List<String> BLOCKING =
      List.of(SYSTEM, NETWORK_SERVICE, ADMINISTRATORS, EVERYONE, "S-1-5-11", "S-1-5-32-545");
  private static final Map<String, String> ALIASES = Map.of("SY", SYSTEM, "NS", NETWORK_SERVICE, "BA", ADMINISTRATORS,
      "WD", EVERYONE, "AU", "S-1-5-11", "BU", "S-1-5-32-545", "SU", "S-1-5-6");
  private static final Pattern ACE = Pattern.compile("\\(([AD]);([^;]*);([^;]*);[^;]*;[^;]*;([^)]*)\\)");

  private Acl() {}

  /** One entry: allow or deny, flags, rights (generic bits mapped), SID. */
  record Ace(boolean allow, String flags, long rights, String sid, String text) {}

  static List<Ace> aces(String sddl) {
    List<Ace> out = new ArrayList<>();
    if (sddl == null || !sddl.contains("D:")) {
      return out;
    }
    Matcher m = ACE.matcher(sddl.substring(sddl.indexOf("D:")));
    while (m.find()) {
      String sid = ALIASES.getOrDefault(m.group(4), m.group(4));
      out.add(new Ace(m.group(1).equals("A"), m.group(2), rights(m.group(3)), sid, m.group()));
    }
    return out;
  }

  private static long rights(String r) {
    long bits;
    if (r.startsWith("0x")) {
      bits = Long.parseLong(r.substring(2), 16);
    } else {
      bits = 0;
      for (int i = 0; i + 1 < r.length(); i += 2) {
        bits |= switch (r.substring(i, i + 2)) {
          case "FA" -> FULL;
          case "FR" -> READ;
          case "FW" -> 0x120116;
          case "FX" -> 0x1200A0;
          case "GA" -> 0x10000000L;
          case "GR" -> 0x80000000L;
          case "GW" -> 0x40000000L;
          case "GX" -> 0x20000000L;
          default -> 0;
        };
      }
    }
    if ((bits & 0x80000000L) != 0) {
      bits |= READ;
    }
    if ((bits & 0x40000000L) != 0) {
      bits |= 0x120116;
    }
    if ((bits & 0x20000000L) != 0) {
      bits |= 0x1200A0;
    }
    if ((bits & 0x10000000L) != 0) {
      bits |= FULL;
    }
    return bits;
  }

  /** Allowed (or denied) rights per SID, entries of one SID unioned. */
  static Map<String, Long> access(String sddl, boolean allow) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Ace a : aces(sddl)) {
      if (a.allow() == allow) {
        out.merge(a.sid(), a.rights(), (x, y) -> x | y);
      }
    }
    return out;
  }

  private static boolean has(Map<String, Long> m, String sid, long want) {
    return (m.getOrDefault(sid, 0L) & want) == want;
  }

  /** Whether NETWORK SERVICE (directly or as Everyone, Authenticated Users, Users, SERVICE) may read a file. */
  static boolean networkServiceCanRead(String sddl) {
    Map<String, Long> allow = access(sddl, true);
    Map<String, Long> deny = access(sddl, false);
    boolean allowed = false;
    for (String sid : READERS) {
      if ((deny.getOrDefault(sid, 0L) & READ_DATA) != 0) {
        return false;
      }
      allowed |= (allow.getOrDefault(sid, 0L) & READ_DATA) != 0;
    }
    return allowed;
  }

  /** Whether SYSTEM may read a file according to its ACL (SYSTEM is also an Administrator). */
  static boolean systemCanRead(String sddl) {
    Map<String, Long> allow = access(sddl, true);
    Map<String, Long> deny = access(sddl, false);
    if ((deny.getOrDefault(SYSTEM, 0L) & READ_DATA) != 0 || (deny.getOrDefault(ADMINISTRATORS, 0L) & READ_DATA) != 0) {
      return false;
    }
    return (allow.getOrDefault(SYSTEM, 0L) & READ_DATA) != 0
        || (allow.getOrDefault(ADMINISTRATORS, 0L) & READ_DATA) != 0;
  }

  /**
   * diagnose's {@code grantsOk}: the folder lets Windows create keys, holding the documented reset entries or the
   * default ones, with no deny entry for an account key users rely on.
   */
  static boolean folderSound(String sddl) {
    if (sddl == null) {
      return false;
    }
    Map<String, Long> deny = access(sddl, false);
    if (BLOCKING.stream().anyMatch(deny::containsKey)) {
      return false;
    }
    Map<String, Long> allow = access(sddl, true);
    boolean documented =
        has(allow, SYSTEM, FULL) && has(allow, NETWORK_SERVICE, READ) && has(allow, ADMINISTRATORS, FULL);
    boolean defaults = has(allow, EVERYONE, FOLDER_CREATE_READ) && has(allow, ADMINISTRATORS, FULL);
    return documented || defaults;
  }

  /** What reset-machinekeys-acl (folder only) makes of a folder ACL: blocking denies gone, default entries added. */
  static String addFolderEntries(String sddl) {
    Map<String, Long> allow = access(sddl, true);
    StringBuilder out = new StringBuilder(sddl.substring(0, sddl.indexOf("D:") + 2));
    String dacl = sddl.substring(sddl.indexOf("D:") + 2);
    out.append(dacl, 0, dacl.indexOf('(') < 0 ? dacl.length() : dacl.indexOf('('));
    for (Ace a : aces(sddl)) {
      if (a.allow() || !BLOCKING.contains(a.sid())) {
        out.append(a.text());
      }
    }
    if (!has(allow, EVERYONE, FOLDER_CREATE_READ)) {
      out.append("(A;;0x12019f;;;WD)");
    }
    if (!has(allow, ADMINISTRATORS, FULL)) {
      out.append("(A;;FA;;;BA)");
    }
    return out.toString();
  }

  /** The entries healthy images hold on the listener's key file, per build (guest-repair.md 6.2). */
  static Map<String, Long> keyEntries(int build) {
    Map<String, Long> e = new LinkedHashMap<>();
    e.put(SYSTEM, FULL);
    e.put(NETWORK_SERVICE, READ);
    if (build >= 17763) {
      e.put(SESSION_ENV, FULL);
    } else {
      e.put(ADMINISTRATORS, READ);
    }
    return e;
  }

  /** A healthy key file of that build. */
  static String healthyKeySddl(int build) {
    return "O:SYG:SYD:(A;;FA;;;SY)(A;;FR;;;NS)" + (build >= 17763 ? "(A;;FA;;;" + SESSION_ENV + ")" : "(A;;FR;;;BA)");
  }

  /** diagnose's {@code rdpKey.missing}: the build's entries the file lacks, a blocking deny as {@code deny:SID}. */
  static List<String> missingKeyEntries(String sddl, int build) {
    Map<String, Long> allow = access(sddl, true);
    Map<String, Long> deny = access(sddl, false);
    List<String> missing = new ArrayList<>();
    List<String> denies = new ArrayList<>();
    keyEntries(build).forEach((sid, want) -> {
      if (!has(allow, sid, want)) {
        missing.add(sid);
      }
      if ((deny.getOrDefault(sid, 0L) & want) != 0) {
        denies.add("deny:" + sid);
      }
    });
    missing.addAll(denies);
    return missing;
  }

  /** What repair-rdp-key-acl makes of a key file ACL: the denies that block the build's entries gone, those added. */
  static String addKeyEntries(String sddl, int build) {
    Map<String, Long> allow = access(sddl, true);
    Map<String, Long> want = keyEntries(build);
    StringBuilder out = new StringBuilder(sddl.substring(0, sddl.indexOf("D:") + 2));
    String dacl = sddl.substring(sddl.indexOf("D:") + 2);
    out.append(dacl, 0, dacl.indexOf('(') < 0 ? dacl.length() : dacl.indexOf('('));
    for (Ace a : aces(sddl)) {
      if (a.allow() || !want.containsKey(a.sid()) || (a.rights() & want.get(a.sid())) == 0) {
        out.append(a.text());
      }
    }
    want.forEach((sid, rights) -> {
      if (!has(allow, sid, rights)) {
        String token = ALIASES.entrySet().stream().filter(e -> e.getValue().equals(sid)).map(Map.Entry::getKey)
            .findFirst().orElse(sid);
        out.append("(A;;").append(rights == FULL ? "FA" : "FR").append(";;;").append(token).append(')');
      }
    });
    return out.toString();
  }

  /**
   * What Learn's recursive reset (owner Administrators, icacls /remove:d and /grant SYSTEM F, NETWORK SERVICE R,
   * Administrators F) makes of an ACL: deny entries for those accounts gone, the three grants merged into the rest.
   */
  static String applyDocumentedReset(String sddl) {
    String dacl = sddl.substring(sddl.indexOf("D:"));
    String flags = dacl.substring(2, dacl.indexOf('(') < 0 ? dacl.length() : dacl.indexOf('('));
    StringBuilder aces = new StringBuilder();
    for (Ace a : aces(sddl)) {
      boolean ours = a.sid().equals(SYSTEM) || a.sid().equals(NETWORK_SERVICE) || a.sid().equals(ADMINISTRATORS);
      if (!ours) {
        aces.append(a.text());
      }
    }
    return "O:BAG:SYD:" + flags + "(A;;FA;;;SY)(A;;FR;;;NS)(A;;FA;;;BA)" + aces;
  }

  /** The owner SID string of an SDDL (e.g. {@code SY}, {@code BA}). */
  static String ownerSid(String sddl) {
    return sddl.startsWith("O:") ? sddl.substring(2, sddl.indexOf("G:")) : null;
  }

  /** Whether the ACL still gives SYSTEM or Administrators full control (so SYSTEM scripts can repair it). */
  static boolean adminsHaveFullControl(String sddl) {
    Map<String, Long> allow = access(sddl, true);
    return has(allow, SYSTEM, FULL) || has(allow, ADMINISTRATORS, FULL);
  }
}
