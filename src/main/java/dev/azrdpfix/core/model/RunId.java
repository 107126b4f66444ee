package dev.azrdpfix.core.model;

import dev.azrdpfix.core.AzrdpfixException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The id of one repair or rollback run, {@code yyyyMMddTHHmmssZ-xxxxxx}: sortable by time, unique per run, safe as a
 * folder name on the VM and as a Run Command parameter. The one place that knows the pattern.
 */
public record RunId(String value) implements Comparable<RunId> {
  /** The pattern every run id matches (the templates check the same with ValidatePattern). */
  public static final Pattern PATTERN = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}");

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final RandomGenerator RANDOM = new SecureRandom();

  public RunId {
    if (value == null || !PATTERN.matcher(value).matches()) {
      throw new IllegalArgumentException("not a run id: " + value);
    }
  }

  /** A new id: the clock's time in UTC and six random characters. */
  public static RunId generate(Clock clock) {
    return generate(clock, RANDOM);
  }

  public static RunId generate(Clock clock, RandomGenerator random) {
    StringBuilder b = new StringBuilder(STAMP.format(clock.instant())).append('-');
    for (int i = 0; i < 6; i++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return new RunId(b.toString());
  }

  /**
   * A run id the user typed, e.g. {@code --run}.
   *
   * @throws AzrdpfixException USAGE with the expected form
   */
  public static RunId parse(String option, String text) {
    if (text == null || !PATTERN.matcher(text).matches()) {
      throw AzrdpfixException.usage(option + " '" + text + "' is not a run id: it looks like 20261123T050000Z-k3x9q2"
          + " (see the repair report or the folders under C:\\ProgramData\\azrdpfix\\backup on the VM).");
    }
    return new RunId(text);
  }

  /** Whether {@code text} is a run id. */
  public static boolean isValid(String text) {
    return text != null && PATTERN.matcher(text).matches();
  }

  @Override
  public int compareTo(RunId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
