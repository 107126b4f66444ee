package dev.azrdpfix.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Normalisation and hashing of script text as CONTRACT.md defines them. */
public final class ScriptText {
  private ScriptText() {}

  /** BOM stripped, CRLF/CR to LF, split at LF, a final empty line after the last LF dropped. */
  public static List<String> normalise(String raw) {
    String s = raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
    s = s.replace("\r\n", "\n").replace('\r', '\n');
    List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  /** Lower-case hex SHA-256 of the lines joined with \n, as UTF-8. */
  public static String sha256(List<String> lines) {
    return sha256(String.join("\n", lines));
  }

  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
