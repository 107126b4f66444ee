package dev.azrdpfix.report;

/**
 * Makes untrusted text (anything that came from the guest or Azure) inert before it reaches a terminal, a CI log or
 * Markdown. The one sanitizer the renderers use.
 *
 * <ul>
 *   <li>{@link #text}: every control character (C0 incl. ESC, CR, LF and TAB; DEL; C1 incl. CSI) and the invisible
 *       or direction-changing format characters become {@code ?} (line breaks a space), so no escape sequence, cursor
 *       move or fake line start reaches the terminal; a workflow command ({@code ::name::}) is defused to
 *       {@code : :name::} wherever it stands, since a CI log line may begin inside it.</li>
 *   <li>{@link #markdown}: {@link #text}, then the characters that make Markdown or HTML escaped: backslash,
 *       backtick, {@code |}, {@code [}, {@code ]} (no links); {@code <}, {@code >} and {@code &} as
 *       entities.</li>
 *   <li>{@link #code}: for a Markdown code span: {@link #text}, a backtick becomes {@code '} and {@code |} is
 *       escaped (a table cell would end there).</li>
 * </ul>
 */
public final class Inert {
  private Inert() {}

  /** Plain text for a terminal or a CI log line; null stays null. */
  public static String text(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\t') {
        b.append(' ');
      } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || invisible(c)) {
        b.append('?');
      } else {
        b.append(c);
      }
    }
    return b.toString().replace("::", ": :");
  }

  /** Text inside Markdown prose or a table cell. */
  public static String markdown(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (char c : text(s).toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '\\', '`', '|', '[', ']' -> b.append('\\').append(c);
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Text inside a Markdown code span ({@code `...`}), also in a table cell. */
  public static String code(String s) {
    return s == null ? "" : text(s).replace('`', '\'').replace("|", "\\|");
  }

  private static boolean invisible(char c) {
    return (c >= '\u200B' && c <= '\u200F') || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2060' && c <= '\u2069')
        || c == '\uFEFF' || c == '\u061C' || c == '\u2028' || c == '\u2029';
  }
}
