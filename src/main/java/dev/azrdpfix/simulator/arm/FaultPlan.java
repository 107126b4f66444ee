package dev.azrdpfix.simulator.arm;

import dev.azrdpfix.core.AzrdpfixException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Faults injected into ARM requests, for tests and benchmarks. Grammar (items separated by commas, blanks ignored):
 *
 * <pre>
 *   spec    := item ("," item)*
 *   item    := STATUS ":" target [":" COUNT]   first COUNT (default 1) matching requests get that HTTP status
 *            | "reset" ":" target [":" COUNT]  first COUNT matching requests: connection closed, no response
 *            | "latency" ":" N ("ms" | "s")    added to every request
 *            | "role" ":" ROLE                 the simulated identity's role for the permissions API: "owner"
 *                                                (default), "reader" (only {@code *}{@code /read}) or "none"
 *   STATUS  := 400..599 (429 and 503 carry Retry-After: 1)
 *   target  := "*" | a route key (see {@link #ROUTES})
 * </pre>
 *
 * Example: {@code 429:vm-get:1,reset:nic-get:1,latency:150ms}. Counts are per simulator process.
 */
public final class FaultPlan {
  /** Route keys a fault can target. */
  public static final Set<String> ROUTES = Set.of(
      "vm-get", "vm-list", "instanceview", "runcommand", "restart", "start", "poweroff", "deallocate", "reapply",
      "operation", "nic-get", "nsg-get", "nsg-list", "pip-get", "subnet-get", "vnet-get", "asg-get", "permissions");

  /** The simulated identity's role, as the permissions API reports it. */
  public enum Role { OWNER, READER, NONE }

  /** What happens to a request a fault matched: an HTTP status, or a reset when {@code status} is 0. */
  public record Fault(int status, String target) {
    public boolean reset() {
      return status == 0;
    }
  }

  private static final class Rule {
    final Fault fault;
    int remaining;

    Rule(Fault fault, int remaining) {
      this.fault = fault;
      this.remaining = remaining;
    }
  }

  private static final Pattern ITEM = Pattern.compile("(reset|[45]\\d\\d):([a-z*-]+)(?::(\\d{1,6}))?");
  private static final Pattern LATENCY = Pattern.compile("latency:(\\d{1,6})(ms|s)");
  private static final Pattern ROLE = Pattern.compile("role:(owner|reader|none)");

  private final List<Rule> rules;
  private final Duration latency;
  private final Role role;

  private FaultPlan(List<Rule> rules, Duration latency, Role role) {
    this.rules = rules;
    this.latency = latency;
    this.role = role;
  }

  public static FaultPlan none() {
    return new FaultPlan(new ArrayList<>(), Duration.ZERO, Role.OWNER);
  }

  public static FaultPlan parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return none();
    }
    List<Rule> rules = new ArrayList<>();
    Duration latency = Duration.ZERO;
    Role role = Role.OWNER;
    for (String raw : spec.split(",")) {
      String item = raw.trim().toLowerCase(Locale.ROOT);
      if (item.isEmpty()) {
        continue;
      }
      Matcher lat = LATENCY.matcher(item);
      Matcher m = ITEM.matcher(item);
      Matcher r = ROLE.matcher(item);
      if (r.matches()) {
        role = Role.valueOf(r.group(1).toUpperCase(Locale.ROOT));
      } else if (lat.matches()) {
        long n = Long.parseLong(lat.group(1));
        latency = latency.plus(lat.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMillis(n));
      } else if (m.matches() && (m.group(2).equals("*") || ROUTES.contains(m.group(2)))) {
        int status = m.group(1).equals("reset") ? 0 : Integer.parseInt(m.group(1));
        int count = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        if (count < 1) {
          throw bad(raw.trim());
        }
        rules.add(new Rule(new Fault(status, m.group(2)), count));
      } else {
        throw bad(raw.trim());
      }
    }
    return new FaultPlan(rules, latency, role);
  }

  private static AzrdpfixException bad(String item) {
    return AzrdpfixException.usage("Invalid simulator fault '" + item
        + "': expected STATUS:ROUTE[:COUNT], reset:ROUTE[:COUNT], latency:Nms or role:owner|reader|none, e.g. 429:vm-get:1 (routes: * or "
        + String.join(", ", ROUTES.stream().sorted().toList()) + ").");
  }

  public Duration latency() {
    return latency;
  }

  public Role role() {
    return role;
  }

  /** Consumes one use of the first rule matching the route, if any. */
  public synchronized Optional<Fault> take(String route) {
    for (Rule r : rules) {
      if (r.remaining > 0 && (r.fault.target().equals("*") || r.fault.target().equals(route))) {
        r.remaining--;
        return Optional.of(r.fault);
      }
    }
    return Optional.empty();
  }
}
