package dev.azrdpfix.simulator;

/**
 * One request the simulated ARM endpoint served, for tests and benchmarks that count requests and sequential waves.
 *
 * @param method HTTP method
 * @param path decoded request path
 * @param query raw query string, or "" when there is none
 * @param startNanos {@link System#nanoTime()} when the request arrived
 * @param endNanos {@link System#nanoTime()} when the response was ready to send (or the connection was closed)
 * @param status the HTTP status sent, 0 when the connection was closed without a response
 * @param route the route key (e.g. {@code vm-get}, {@code runcommand}), or {@code unknown}
 */
public record ServedRequest(
    String method, String path, String query, long startNanos, long endNanos, int status, String route) {}
