package dev.azrdpfix.simulator.guest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough SDDL reading to answer "can NETWORK SERVICE read the keys in this folder?". */
final class Acl {
  /** The default MachineKeys SDDL VM assist compares against. */
  static final String DEFAULT_MACHINEKEYS_SDDL = "O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)";
  /** A hardened-by-hand ACL seen on broken VMs: only Administrators (SYSTEM is one), NETWORK SERVICE locked out. */
  static final String BROKEN_MACHINEKEYS_SDDL = "O:BAG:SYD:PAI(A;;FA;;;BA)";

  private static final Pattern ACE = Pattern.compile("\\(([AD]);[^;]*;([^;]*);[^;]*;[^;]*;([^)]*)\\)");
  private static final int FILE_READ_DATA = 0x1;

  private Acl() {}

  /** Whether NETWORK SERVICE (directly, as Everyone or as Authenticated Users) may read key files. */
  static boolean networkServiceCanRead(String sddl) {
    if (sddl == null) {
      return false;
    }
    boolean allowed = false;
    Matcher m = ACE.matcher(sddl);
    while (m.find()) {
      String sid = m.group(3);
      if (!sid.equals("NS") && !sid.equals("WD") && !sid.equals("AU")) {
        continue;
      }
      if (!grantsRead(m.group(2))) {
        continue;
      }
      if (m.group(1).equals("D")) {
        return false; // a deny ACE wins over any allow
      }
      allowed = true;
    }
    return allowed;
  }

  /** The state the documented reset leaves: SYSTEM F, NETWORK SERVICE R, Administrators F and no deny entry. */
  static boolean documentedGrants(String sddl) {
    return sddl != null
        && !sddl.contains("(D;")
        && sddl.contains("(A;;FA;;;SY)")
        && sddl.contains("(A;;FA;;;BA)")
        && (sddl.contains(";;;NS)") && networkServiceCanRead(sddl));
  }

  /**
   * What takeown /a, icacls /remove:d and icacls /grant SYSTEM F, NETWORK SERVICE R, Administrators F make of an ACL:
   * owner Administrators, deny entries for those accounts gone, the three grants merged into the rest.
   */
  static String applyDocumentedReset(String sddl) {
    String dacl = sddl.substring(sddl.indexOf("D:"));
    String flags = dacl.substring(2, dacl.indexOf('(') < 0 ? dacl.length() : dacl.indexOf('('));
    StringBuilder aces = new StringBuilder();
    Matcher m = ACE.matcher(dacl);
    while (m.find()) {
      String sid = m.group(3);
      boolean ours = sid.equals("SY") || sid.equals("NS") || sid.equals("BA");
      if (!ours) {
        aces.append(m.group());
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
    return sddl != null && (sddl.contains("(A;;FA;;;SY)") || sddl.contains("(A;;FA;;;BA)"));
  }

  private static boolean grantsRead(String rights) {
    if (rights.startsWith("0x")) {
      return (Integer.parseUnsignedInt(rights.substring(2), 16) & FILE_READ_DATA) != 0;
    }
    return rights.contains("FA") || rights.contains("FR") || rights.contains("GA") || rights.contains("GR");
  }
}
