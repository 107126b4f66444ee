package dev.azrdpfix.core.probe;

import java.time.Duration;

/**
 * What to probe and how long to try. {@code waitFor} is zero for one attempt, otherwise retry with backoff until ok or
 * the deadline; {@code expectedThumbprint} (40 hex, or null) must equal the served certificate's SHA-1.
 */
public record ProbeRequest(String host, int port, Duration stageTimeout, Duration waitFor, String expectedThumbprint) {}
