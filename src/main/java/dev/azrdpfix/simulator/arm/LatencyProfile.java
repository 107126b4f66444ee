package dev.azrdpfix.simulator.arm;

import dev.azrdpfix.core.AzrdpfixException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long simulated operations take. Spec: {@code fast} (default) or {@code realistic}, optionally followed by
 * {@code /N} to divide every duration by N (e.g. {@code realistic/10} for benchmarks). {@code Retry-After} is scaled
 * the same way and rounded to whole seconds, as ARM sends integers.
 */
public record LatencyProfile(
    String spec,
    Duration runCommandMin,
    Duration runCommandMax,
    Duration restart,
    Duration start,
    Duration powerOff,
    Duration deallocate,
    Duration reapply,
    Duration agentReadyAfterBoot,
    int retryAfterSeconds) {

  public static LatencyProfile parse(String spec) {
    String s = spec == null || spec.isBlank() ? "fast" : spec.trim().toLowerCase(Locale.ROOT);
    String name = s;
    double divisor = 1;
    int slash = s.indexOf('/');
    if (slash >= 0) {
      name = s.substring(0, slash);
      try {
        divisor = Double.parseDouble(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        divisor = -1;
      }
      if (!(divisor > 0) || Double.isInfinite(divisor)) {
        throw bad(spec);
      }
    }
    return switch (name) {
      case "fast" -> scaled(s, divisor, 1000, 1000, 2000, 2000, 1000, 2000, 1000, 1000, 1);
      case "realistic" -> scaled(s, divisor, 20_000, 30_000, 45_000, 60_000, 30_000, 60_000, 30_000, 30_000, 10);
      default -> throw bad(spec);
    };
  }

  private static AzrdpfixException bad(String spec) {
    return AzrdpfixException.usage("Invalid simulator latency profile '" + spec
        + "': expected fast or realistic, optionally /N with N > 0 (e.g. realistic/10).");
  }

  private static LatencyProfile scaled(String spec, double d, long rcMin, long rcMax, long restart, long start,
      long off, long dealloc, long reapply, long agent, int retryAfter) {
    return new LatencyProfile(spec, ms(rcMin, d), ms(rcMax, d), ms(restart, d), ms(start, d), ms(off, d),
        ms(dealloc, d), ms(reapply, d), ms(agent, d), (int) Math.round(retryAfter / d));
  }

  private static Duration ms(long millis, double divisor) {
    return Duration.ofMillis(Math.round(millis / divisor));
  }

  /** A Run Command duration within the profile's range. */
  public Duration runCommand() {
    long min = runCommandMin.toMillis();
    long max = runCommandMax.toMillis();
    return Duration.ofMillis(max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1));
  }
}
