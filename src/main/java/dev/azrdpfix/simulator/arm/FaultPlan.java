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
 *            | "accept-reset" ":" action [":" COUNT]
 *                                  first COUNT matching POSTs are carried out (the operation starts and changes the
 *                                  simulated VM and guest as usual), then the connection is closed with no response
 *            | "accept-fail-polls" ":" action [":" COUNT]
 *                                  first COUNT matching POSTs are carried out and answered 202, but every status poll
 *                                  of the operations they started answers 500
 *            | "latency" ":" N ("ms" | "s")    added to every request
 *            | "role" ":" ROLE                 the simulated identity's role for the permissions API: "owner"
 *                                                (default), "reader" (only {@code *}{@code /read}) or "none"
 *   STATUS  := 400..599 (429 and 503 carry Retry-After: 1)
 *   target  := ("*" | a route key (see {@link #ROUTES})) ["@" N]
 *   action  := ("*" (any POST) | a POST route key (see {@link #ACTIONS})) ["@" N]
 *   "@" N   := the fault starts at the Nth matching request (default 1): {@code 500:runcommand@2} hits the second
 *              Run Command (the repair bundle after the diagnosis), not the first</pre>
 * <pre>
 * </pre>
 *
 * Example: {@code 429:vm-get:1,reset:nic-get:1,accept-reset:runcommand:1,latency:150ms}. Counts are per simulator
 * process. The accept faults model a request that reached Azure while its answer was lost: the client cannot tell it
 * from one that never arrived, so it must neither send it again nor record it as not done.
 */
public final class FaultPlan {
  /** Route keys a fault can target. */
  public static final Set<String> ROUTES = Set.of(
      "vm-get", "vm-list", "instanceview", "runcommand", "restart", "start", "poweroff", "deallocate", "reapply",
      "operation", "nic-get", "nsg-get", "nsg-list", "pip-get", "subnet-get", "vnet-get", "asg-get", "permissions");

  /** The simulated identity's role, as the permissions API reports it. */
  public enum Role {
    OWNER, READER, NONE
  }

  /** Route keys of the POSTs that start an operation (what the accept faults can target). */
  public static final Set<String> ACTIONS = Set.of("runcommand", "restart", "start", "poweroff", "deallocate",
      "reapply");

  /** What a fault does after the request was carried out (accept faults) or instead of it (the others). */
  public enum Kind {
    STATUS, RESET, ACCEPT_RESET, ACCEPT_FAIL_POLLS
  }

  /**
   * What happens to a request a fault matched: an HTTP status, or a reset when {@code status} is 0; with {@code kind}
   * an accept fault.
   */
  public record Fault(int status, String target, Kind kind) {
    public Fault(int status, String target) {
      this(status, target, status == 0 ? Kind.RESET : Kind.STATUS);
    }

    public boolean reset() {
      return kind == Kind.RESET;
    }

    /** Whether the request is carried out first (the fault hits its answer or its polls). */
    public boolean accepts() {
      return kind == Kind.ACCEPT_RESET || kind == Kind.ACCEPT_FAIL_POLLS;
    }
  }

  private static final class Rule {
    final Fault fault;
    int skip;
    int remaining;

    Rule(Fault fault, int skip, int remaining) {
      this.fault = fault;
      this.skip = skip;
      this.remaining = remaining;
    }
  }

  private static final Pattern ITEM =
      Pattern.compile("(reset|accept-reset|accept-fail-polls|[45]\\d\\d):([a-z*-]+)(?:@(\\d{1,6}))?(?::(\\d{1,6}))?");
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
      } else if (m.matches() && (m.group(2).equals("*") || (m.group(1).startsWith("accept-") ? ACTIONS
          : ROUTES).contains(m.group(2)))) {
        int count = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
        int nth = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        if (count < 1 || nth < 1) {
          throw bad(raw.trim());
        }
        Fault fault = switch (m.group(1)) {
          case "reset" -> new Fault(0, m.group(2), Kind.RESET);
          case "accept-reset" -> new Fault(0, m.group(2), Kind.ACCEPT_RESET);
          case "accept-fail-polls" -> new Fault(500, m.group(2), Kind.ACCEPT_FAIL_POLLS);
          default -> new Fault(Integer.parseInt(m.group(1)), m.group(2), Kind.STATUS);
        };
        rules.add(new Rule(fault, nth - 1, count));
      } else {
        throw bad(raw.trim());
      }
    }
    return new FaultPlan(rules, latency, role);
  }

  private static AzrdpfixException bad(String item) {
    return AzrdpfixException.usage("Invalid simulator fault '" + item
        + "': expected STATUS:ROUTE[@N][:COUNT], reset:ROUTE[@N][:COUNT], accept-reset:ACTION[@N][:COUNT],"
        + " accept-fail-polls:ACTION[@N][:COUNT], latency:Nms or role:owner|reader|none, e.g. 429:vm-get:1 (routes: * or "
        + String.join(", ", ROUTES.stream().sorted().toList()) + "; actions: * or "
        + String.join(", ", ACTIONS.stream().sorted().toList()) + ").");
  }

  public Duration latency() {
    return latency;
  }

  public Role role() {
    return role;
  }

  /** Consumes one use of the first rule matching the route, if any (accept faults match only POST routes). */
  public synchronized Optional<Fault> take(String route) {
    for (Rule r : rules) {
      if (r.fault.accepts() && !ACTIONS.contains(route)) {
        continue;
      }
      if (r.remaining > 0 && (r.fault.target().equals("*") || r.fault.target().equals(route))) {
        if (r.skip > 0) {
          r.skip--;
          continue;
        }
        r.remaining--;
        return Optional.of(r.fault);
      }
    }
    return Optional.empty();
  }
}
