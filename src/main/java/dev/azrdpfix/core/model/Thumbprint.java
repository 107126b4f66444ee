package dev.azrdpfix.core.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A certificate's SHA-1 thumbprint as Windows shows it: 40 upper-case hex digits. {@link #parse} is the one
 * normalisation for thumbprints from any source (guest facts, the command line, a pasted certificate dialog).
 */
public final class Thumbprint {
  private static final Pattern HEX = Pattern.compile("[0-9A-F]{40}");
  /** Whitespace, colons, and the invisible marks the Windows certificate dialog copies along (LRM, RLM, BOM). */
  private static final Pattern SEPARATORS = Pattern.compile("[\\s:\\u200E\\u200F\\uFEFF]");

  private final String hex;

  private Thumbprint(String hex) {
    this.hex = hex;
  }

  /**
   * Normalises {@code raw}: drops whitespace, colons and invisible marks, upper-cases the rest.
   *
   * @return the thumbprint, or null when {@code raw} is null or not 40 hex digits after normalising
   */
  public static Thumbprint parse(String raw) {
    if (raw == null) {
      return null;
    }
    String t = SEPARATORS.matcher(raw).replaceAll("").toUpperCase(Locale.ROOT);
    return HEX.matcher(t).matches() ? new Thumbprint(t) : null;
  }

  /** The normalised hex form of {@code raw}, or null when it is not a thumbprint (see {@link #parse}). */
  public static String hexOf(String raw) {
    Thumbprint t = parse(raw);
    return t == null ? null : t.hex;
  }

  /** The thumbprint of a certificate: SHA-1 over its DER encoding. */
  public static Thumbprint ofCertificate(byte[] der) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(Objects.requireNonNull(der, "der"));
      return new Thumbprint(HexFormat.of().withUpperCase().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available: " + e.getMessage(), e);
    }
  }

  /** 40 upper-case hex digits. */
  public String hex() {
    return hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Thumbprint t && t.hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }

  @Override
  public String toString() {
    return hex;
  }
}
