package dev.azrdpfix.probe;

/** Short human forms of millisecond durations for probe output. */
final class Durations {
  private Durations() {}

  /** e.g. 0.3 s, 12 s, 7 min, 3 h, 2 d (absolute value). */
  static String human(long millis) {
    long m = Math.abs(millis);
    if (m < 10_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", m / 1000.0);
    }
    if (m < 120_000) {
      return (m / 1000) + " s";
    }
    if (m < 7_200_000) {
      return (m / 60_000) + " min";
    }
    if (m < 172_800_000) {
      return (m / 3_600_000) + " h";
    }
    return (m / 86_400_000) + " d";
  }

  /** {@link #human} with a sign: + when the server is ahead. */
  static String signed(long millis) {
    // Below the display resolution the sign is noise: show +0.0 s, never -0.0 s.
    return (millis <= -50 ? "-" : "+") + human(Math.abs(millis) < 50 ? 0 : millis);
  }
}
