package dev.azrdpfix.testing;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for tests: a clock that starts at the real "now" and moves only when someone sleeps on it. Sleeping
 * returns at once and advances the clock by the duration asked, so a Run Command that "takes" 1 s, a restart of 2 s,
 * a {@code Retry-After: 1}, a 5 s poll interval or the probe's backoff cost no real time, while every deadline and
 * every simulated operation still sees that time pass. Share one instance between the client (the CLI's environment,
 * the gateway, the probe) and the simulated Azure so both agree on what time it is.
 */
public final class VirtualTime extends Clock implements Sleeper {
  private final Instant origin;
  private final AtomicLong elapsedNanos = new AtomicLong();
  private final AtomicLong sleeps = new AtomicLong();

  public VirtualTime() {
    this(Instant.now());
  }

  public VirtualTime(Instant origin) {
    this.origin = origin;
  }

  @Override
  public void sleep(Duration d) {
    if (Thread.currentThread().isInterrupted()) {
      throw new AzrdpfixException(ExitCode.INTERRUPTED, "interrupted while waiting. The report lists what was done.");
    }
    sleeps.incrementAndGet();
    if (!d.isNegative()) {
      elapsedNanos.addAndGet(d.toNanos());
    }
    Thread.yield();
  }

  /** Moves the clock forward without anyone sleeping (the test "waits"). */
  public void advance(Duration d) {
    elapsedNanos.addAndGet(d.toNanos());
  }

  /** Virtual time passed since the start. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos.get());
  }

  /** How many times anyone slept on this clock. */
  public long sleeps() {
    return sleeps.get();
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    throw new UnsupportedOperationException("virtual time is UTC only");
  }
}
