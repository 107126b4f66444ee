package dev.azrdpfix.explain;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes the Remote Desktop client's "Error code" (disconnect reason) and "Extended error code"
 * (ExtendedDisconnectReasonCode) from Microsoft's documented tables, each against its own table only, and says what
 * the pair likely means on an Azure VM and which azrdpfix command addresses it. Pure lookups: no I/O, no Azure SDK.
 */
public final class Explainer {
  static final String CODE_TABLE = "error code";
  static final String EXTENDED_TABLE = "extended error code";
  private static final String GET_ERROR_DESCRIPTION = "on a Windows machine, the Remote Desktop ActiveX control's"
      + " GetErrorDescription(code, extended) gives the client's own text for the pair";

  private Explainer() {}

  /** Microsoft's documented disconnect reasons, in table order. */
  public static List<CodeEntry> disconnectReasons() {
    return DisconnectReasons.ALL;
  }

  /** Microsoft's documented extended disconnect reasons (one entry is the 0x1000-0x7FFF protocol range). */
  public static List<CodeEntry> extendedReasons() {
    return ExtendedReasons.ALL;
  }

  /**
   * Explains {@code code} and, if not null or blank, {@code extended}, each given in hex (0x904) or decimal (2308).
   *
   * @throws AzrdpfixException with {@link ExitCode#USAGE} when either is not a number
   */
  public static Explanation explain(String code, String extendedOrNull) {
    Parsed c = parse(code, "error code");
    DecodedCode decoded = decodeCode(c);
    DecodedCode ext = null;
    if (extendedOrNull != null && !extendedOrNull.isBlank()) {
      ext = decodeExtended(parse(extendedOrNull, "extended error code"));
    }
    return new Explanation(decoded, ext, reading(decoded, ext), commands(decoded, ext));
  }

  /** A number as typed, and how it was read. */
  private record Parsed(String input, long value, boolean hex, boolean bareHex) {}

  private static Parsed parse(String raw, String what) {
    String s = raw == null ? "" : raw.strip();
    String usage = "explain: '" + s + "' is not an " + what + ". Give it as Remote Desktop shows it, in hex (0x904)"
        + " or decimal (2308).";
    if (s.isEmpty()) {
      throw new AzrdpfixException(ExitCode.USAGE, "explain: no " + what + " given. Give it as Remote Desktop shows"
          + " it, in hex (0x904) or decimal (2308).");
    }
    String digits;
    int radix;
    boolean bareHex = false;
    if (s.startsWith("0x") || s.startsWith("0X")) {
      digits = s.substring(2);
      radix = 16;
    } else if (s.matches("[0-9]+")) {
      digits = s;
      radix = 10;
    } else if (s.matches("[0-9A-Fa-f]+")) {
      // Letters make it unambiguous hex (1B07), typed without the 0x mstsc shows.
      digits = s;
      radix = 16;
      bareHex = true;
    } else {
      throw new AzrdpfixException(ExitCode.USAGE, usage);
    }
    if (digits.isEmpty() || digits.length() > 10 || !digits.matches(radix == 16 ? "[0-9A-Fa-f]+" : "[0-9]+")) {
      throw new AzrdpfixException(ExitCode.USAGE, usage);
    }
    long value = Long.parseLong(digits, radix);
    if (value > 0xFFFFFFFFL) {
      throw new AzrdpfixException(ExitCode.USAGE, "explain: " + s + " is larger than any " + what
          + " (32 bits). Check the number Remote Desktop showed.");
    }
    return new Parsed(s, value, radix == 16, bareHex);
  }

  static String hex(long v) {
    return "0x" + Long.toHexString(v).toUpperCase(Locale.ROOT);
  }

  private static Optional<CodeEntry> find(List<CodeEntry> table, long value) {
    return table.stream().filter(e -> e.covers(value)).findFirst();
  }

  private static DecodedCode decodeCode(Parsed p) {
    List<String> notes = new ArrayList<>();
    if (p.bareHex()) {
      notes.add(p.input() + " was read as hex (" + hex(p.value()) + ").");
    }
    Optional<CodeEntry> entry = find(DisconnectReasons.ALL, p.value());
    if (entry.isPresent()) {
      return decoded(CODE_TABLE, p, entry.get(), notes);
    }
    notes.add(hex(p.value()) + " (" + p.value() + ") is not in Microsoft's documented list of error codes.");
    if (!p.hex()) {
      find(DisconnectReasons.ALL, reinterpretDecimalAsHex(p.value())).ifPresent(e -> notes.add(p.input()
          + " was read as decimal; Remote Desktop shows error codes in hex: did you mean " + hex(e.from()) + " ("
          + e.name() + ")?"));
    }
    knownUndocumented(p.value()).ifPresent(notes::add);
    if (p.value() == 0x7) {
      notes.add("7 is documented as an extended error code (exDiscReasonServerDeniedConnection): did you swap the"
          + " two codes?");
    }
    lowByteHeuristic(p.value()).ifPresent(notes::add);
    notes.add(capitalise(GET_ERROR_DESCRIPTION) + ".");
    return undocumented(CODE_TABLE, p, notes);
  }

  private static DecodedCode decodeExtended(Parsed p) {
    List<String> notes = new ArrayList<>();
    if (p.bareHex()) {
      notes.add(p.input() + " was read as hex (" + hex(p.value()) + ").");
    }
    if (p.value() == 7) {
      notes.add("Not ERROR_ARENA_TRASHED: that is Win32 system error 7 from GetLastError. The extended error code is"
          + " an ExtendedDisconnectReasonCode, where 7 means the server denied the connection.");
    }
    Optional<CodeEntry> entry = find(ExtendedReasons.ALL, p.value());
    if (entry.isPresent()) {
      CodeEntry e = entry.get();
      if (e.isRange()) {
        notes.add("Values " + hex(e.from()) + "-" + hex(e.to()) + " are the documented range of internal protocol"
            + " errors; they appear to share the numbering of the server's Set Error Info PDU (MS-RDPBCGR"
            + " 2.2.5.1.1), where a specific name can be looked up (an inference, not Microsoft's statement).");
      }
      if (p.value() == 0x112F) {
        notes.add("0x112F matches ERRINFO_GRAPHICS_SUBSYSTEM_FAILED in MS-RDPBCGR (by that shared numbering).");
      }
      return decoded(EXTENDED_TABLE, p, e, notes);
    }
    notes.add(hex(p.value()) + " (" + p.value() + ") is not in Microsoft's documented list of extended error codes.");
    find(DisconnectReasons.ALL, p.value()).filter(e -> p.value() > 0xC).ifPresent(e -> notes.add(hex(p.value())
        + " is a documented error code (" + e.name() + "), not an extended one: did you swap the two codes?"));
    notes.add(capitalise(GET_ERROR_DESCRIPTION) + ".");
    return undocumented(EXTENDED_TABLE, p, notes);
  }

  /** 904 typed as decimal reads back as 0x904. */
  private static long reinterpretDecimalAsHex(long decimal) {
    return Long.parseLong(Long.toString(decimal), 16);
  }

  private static Optional<String> knownUndocumented(long v) {
    if (v == 0x708) {
      return Optional.of("0x708 is commonly seen with the \"someone is already using the console session\" dialog,"
          + " but Microsoft does not list it.");
    }
    if (v == 0x207 || v == 0x1307 || v == 0xB08) {
      return Optional.of(hex(v) + " is often quoted on the web but is not in Microsoft's list; treat any cause"
          + " given for it there as unconfirmed.");
    }
    return Optional.empty();
  }

  /** From the 47 documented values: the low byte hints at the stage (an inference, stated as such). */
  private static Optional<String> lowByteHeuristic(long v) {
    int low = (int) (v & 0xFF);
    String stage = switch (low) {
      case 0x07 -> "every documented code ending in 07 is an SSL_ERR_* code of the CredSSP/NLA (logon) stage";
      case 0x04 -> "every documented code ending in 04 is a Winsock/network failure";
      case 0x06 -> "documented codes ending in 06 are security-layer or out-of-memory errors";
      case 0x08 -> "documented codes ending in 08 are time-outs, licensing or internal errors";
      default -> null;
    };
    return Optional.ofNullable(stage).map(s -> "A hint, not a fact: " + s + ", so this one probably belongs there"
        + " too (unconfirmed).");
  }

  private static DecodedCode decoded(String table, Parsed p, CodeEntry e, List<String> notes) {
    return new DecodedCode(table, p.input(), p.value(), hex(p.value()), true, e.name(), e.description(),
        e.likelyCause(), e.commands(), e.source(), notes);
  }

  private static DecodedCode undocumented(String table, Parsed p, List<String> notes) {
    return new DecodedCode(table, p.input(), p.value(), hex(p.value()), false, null, null, null, List.of(), null,
        notes);
  }

  private static String reading(DecodedCode code, DecodedCode ext) {
    if (code.value() == 0x904 && ext != null && ext.value() == 7) {
      return "Socket closed + the server denied the connection: the VM dropped the connection while it was being"
          + " secured, before any logon. On an Azure VM this is typically the TLS stage: an RDP certificate or private"
          + " key TermService cannot use (MachineKeys permissions), an expired or corrupted certificate, or TLS"
          + " disabled in SCHANNEL. `azrdpfix probe` shows the failing stage; `azrdpfix repair` fixes these.";
    }
    StringBuilder b = new StringBuilder();
    b.append(sentence(code));
    if (ext != null) {
      b.append(' ').append(sentence(ext));
    }
    return b.toString();
  }

  private static String sentence(DecodedCode d) {
    String label = capitalise(d.table()) + " " + d.hex();
    if (!d.documented()) {
      return label + " is not in Microsoft's documented list.";
    }
    String description = d.description().endsWith(".") ? d.description() : d.description() + ".";
    return label + ": " + description + " Likely: " + d.likelyCause() + ".";
  }

  private static List<String> commands(DecodedCode code, DecodedCode ext) {
    Set<String> all = new LinkedHashSet<>(code.commands());
    if (ext != null) {
      all.addAll(ext.commands());
    }
    // A fixed order reads better than the union's: look from outside, then look inside, then change.
    List<String> ordered = new ArrayList<>();
    for (String c : List.of(Commands.PROBE, Commands.INSPECT, Commands.REPAIR)) {
      if (all.contains(c)) {
        ordered.add(c);
      }
    }
    return ordered;
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
