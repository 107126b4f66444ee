package dev.azrdpfix.core.repair;

import java.time.Instant;

/**
 * One Azure operation in a run, for the report: kind (inspect, run-command, restart, start, reapply, wait, probe),
 * what it was for, when it started and ended, and how it ended (ok, failed: ..., interrupted).
 */
public record Operation(String kind, String purpose, Instant started, Instant ended, String result, String sha256) {}
