package dev.azrdpfix.simulator.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.simulator.ServedRequest;
import dev.azrdpfix.simulator.arm.SimState.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The HTTPS front of the simulated Azure Resource Manager: authentication, routing with exact api-versions, fault
 * injection, ARM error bodies, long-running-operation headers and the request log.
 */
public final class ArmServer implements AutoCloseable {
  public static final String COMPUTE_API = "2025-04-01";
  public static final String NETWORK_API = "2025-03-01";
  public static final String AUTHORIZATION_API = "2022-04-01";
  static final int PAGE_SIZE = 10;
  private static final int LOG_LIMIT = 100_000;
  private static final System.Logger LOG = System.getLogger("dev.azrdpfix.simulator");
  private static final String UNKNOWN_ROUTE = "InvalidResourceType";
  private static final String BAD_API_VERSION = "NoRegisteredProviderFound";
  private static final String NO_API_VERSION = "MissingApiVersionParameter";
  private static final List<String> ACTIONS = List.of("runCommand", "restart", "start", "powerOff", "deallocate",
      "reapply");

  private final Simulation sim;
  private final StateStore store;
  private final FaultPlan faults;
  private final String token;
  private final ArmBodies bodies;
  private final Clock clock;
  private final Sleeper sleeper;
  private final HttpsServer server;
  private final ExecutorService executor;
  private final List<ServedRequest> log = new ArrayList<>();
  /** Operations started by a request with an accept-fail-polls fault: every status poll of them answers 500. */
  private final java.util.Set<String> failingPolls = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final String base;

  /** A reply: status, optional JSON body, extra headers. */
  private record Reply(int status, JsonNode body, Map<String, String> headers) {
    static Reply ok(JsonNode body) {
      return new Reply(200, body, Map.of());
    }
  }

  /** The parsed request a route handler sees. */
  private record Call(String method, List<String> segs, Map<String, String> query, byte[] body, Instant now) {}

  /**
   * Serves on 127.0.0.1:{@code port} (0: any free port). Simulated time (operation ends, agent readiness) is read
   * from {@code clock}; injected latency waits through {@code sleeper}.
   */
  public ArmServer(Simulation sim, StateStore store, FaultPlan faults, SSLContext ssl, int port, String token,
      Clock clock, Sleeper sleeper) throws IOException {
    this.clock = clock;
    this.sleeper = sleeper;
    this.bodies = new ArmBodies(Catalogue.SUBSCRIPTION, clock);
    this.sim = sim;
    this.store = store;
    this.faults = faults;
    this.token = token;
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    server = HttpsServer.create(new InetSocketAddress(loopback, Math.max(port, 0)), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    // Unbounded like ARM: injected latency must not turn the client's parallel requests into queued waves.
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "azrdpfix-sim-arm");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    base = "https://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code https://127.0.0.1:PORT/} */
  public URI endpoint() {
    return URI.create(base + "/");
  }

  public List<ServedRequest> requests() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- request handling

  private void handle(HttpExchange ex) {
    long start = System.nanoTime();
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    String rawQuery = ex.getRequestURI().getRawQuery();
    int status = 0;
    String route = "unknown";
    boolean logged = false;
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      if (!faults.latency().isZero()) {
        sleeper.sleep(faults.latency());
      }
      Reply reply;
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.equals("Bearer " + token)) {
        reply = new Reply(401, ArmBodies.error(auth == null ? "AuthenticationFailed" : "InvalidAuthenticationToken",
            auth == null ? "Authentication failed. The 'Authorization' header is missing."
                : "The access token is invalid."),
            Map.of("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/"
                + Catalogue.TENANT
                + "\", error=\"invalid_token\", error_description=\"The access token is invalid.\""));
      } else {
        Call call = new Call(method, segments(path), query(rawQuery), body, clock.instant());
        reply = null;
        try {
          Route r = route(call);
          route = r.key;
          authorize(r.key, path);
          Optional<FaultPlan.Fault> fault = faults.take(r.key);
          if (fault.isPresent() && fault.get().reset()) {
            return; // closing the exchange without response headers closes the connection
          }
          if (fault.isPresent() && fault.get().accepts()) {
            reply = r.handler.get(); // carried out: the operation starts and changes the VM and guest
            if (fault.get().kind() == FaultPlan.Kind.ACCEPT_RESET) {
              route = r.key + "+accept-reset";
              return; // ... and then the answer is lost: the connection closes without response headers
            }
            String op = reply.headers().get("Azure-AsyncOperation");
            if (op != null) {
              failingPolls.add(operationId(op));
            }
          } else {
            reply = fault.isPresent() ? faultReply(fault.get().status(), r.key) : r.handler.get();
          }
        } catch (ArmError e) {
          if (e.code().equals(UNKNOWN_ROUTE) || e.code().equals(BAD_API_VERSION) || e.code().equals(NO_API_VERSION)) {
            // The product only calls what this simulator serves; anything else is a bug worth seeing.
            LOG.log(System.Logger.Level.WARNING, "simulated ARM rejected {0} {1}{2}: {3} {4}", method, path,
                rawQuery == null ? "" : "?" + rawQuery, e.status(), e.code());
          }
          reply = new Reply(e.status(), ArmBodies.error(e.code(), e.getMessage()), Map.of());
        }
      }
      status = reply.status();
      // Logged before the response leaves: a client that has its answer must find its request in requests().
      served(method, path, rawQuery, start, status, route);
      logged = true;
      send(ex, reply);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "simulated ARM: " + method + " " + path + " failed", e);
      if (status == 0) {
        try {
          status = 500;
          send(ex, new Reply(500, ArmBodies.error("InternalServerError", "The simulator failed: " + e), Map.of()));
        } catch (IOException | RuntimeException ignored) {
          status = 0;
        }
      }
    } finally {
      if (!logged) {
        served(method, path, rawQuery, start, status, route);
      }
    }
  }

  private void served(String method, String path, String rawQuery, long start, int status, String route) {
    synchronized (log) {
      if (log.size() >= LOG_LIMIT) {
        log.subList(0, LOG_LIMIT / 10).clear(); // a long `simulator serve` keeps only recent requests
      }
      log.add(new ServedRequest(method, path, rawQuery == null ? "" : rawQuery, start, System.nanoTime(), status,
          route));
    }
  }

  private Reply faultReply(int status, String route) {
    Map<String, String> headers = status == 429 || status == 503 ? Map.of("Retry-After", "1") : Map.of();
    String code = switch (status) {
      case 429 -> "TooManyRequests";
      case 500 -> "InternalServerError";
      case 502 -> "BadGateway";
      case 503 -> "ServiceUnavailable";
      case 504 -> "GatewayTimeout";
      case 403 -> "AuthorizationFailed";
      default -> "InjectedFault";
    };
    String message = status == 429 ? "The request is being throttled."
        : status == 403 ? "The client 'simulated-reader' does not have authorization to perform action '"
            + deniedAction(route) + "' (injected by the azrdpfix simulator)."
        : "Injected fault: HTTP " + status + " from the azrdpfix simulator.";
    return new Reply(status, ArmBodies.error(code, message), headers);
  }

  /** The Azure action a 403 on a route names, as real AuthorizationFailed errors do. */
  private static String deniedAction(String route) {
    return switch (route) {
      case "runcommand" -> "Microsoft.Compute/virtualMachines/runCommand/action";
      case "restart" -> "Microsoft.Compute/virtualMachines/restart/action";
      case "start" -> "Microsoft.Compute/virtualMachines/start/action";
      case "reapply" -> "Microsoft.Compute/virtualMachines/reapply/action";
      case "poweroff" -> "Microsoft.Compute/virtualMachines/powerOff/action";
      case "deallocate" -> "Microsoft.Compute/virtualMachines/deallocate/action";
      default -> "Microsoft.Compute/virtualMachines/read";
    };
  }

  private void send(HttpExchange ex, Reply reply) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("x-ms-request-id", UUID.randomUUID().toString());
    String corr = ex.getRequestHeaders().getFirst("x-ms-correlation-request-id");
    h.set("x-ms-correlation-request-id", corr != null ? corr : UUID.randomUUID().toString());
    reply.headers().forEach(h::set);
    if (reply.status() >= 400) {
      h.set("x-ms-failure-cause", reply.status() >= 500 ? "service" : "gateway");
    }
    if (reply.body() == null) {
      ex.sendResponseHeaders(reply.status(), -1);
      return;
    }
    byte[] bytes = ArmBodies.JSON.writeValueAsBytes(reply.body());
    h.set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(reply.status(), bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static List<String> segments(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null) {
      return q;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  // ---- routing

  private record Route(String key, Supplier<Reply> handler) {}

  /** Matches segments against a pattern where "*" captures; literals compare case-insensitively, as ARM does. */
  private static List<String> match(List<String> segs, String... pattern) {
    if (segs.size() != pattern.length) {
      return null;
    }
    List<String> captured = new ArrayList<>();
    for (int i = 0; i < pattern.length; i++) {
      if (pattern[i].equals("*")) {
        captured.add(segs.get(i));
      } else if (!pattern[i].equalsIgnoreCase(segs.get(i))) {
        return null;
      }
    }
    return captured;
  }

  private Route route(Call c) {
    List<String> s = c.segs();
    if (s.size() < 2 || !s.get(0).equalsIgnoreCase("subscriptions")) {
      throw unknown(c);
    }
    if (!s.get(1).equalsIgnoreCase(Catalogue.SUBSCRIPTION)) {
      throw new ArmError(404, "SubscriptionNotFound", "The subscription '" + s.get(1) + "' could not be found.");
    }
    List<String> r = s.subList(2, s.size());
    boolean get = c.method().equals("GET");
    boolean post = c.method().equals("POST");
    List<String> m;
    if (get && (m = match(r, "providers", "Microsoft.Compute", "virtualMachines")) != null) {
      api(c, COMPUTE_API, "virtualMachines");
      return new Route("vm-list", () -> listVms(c, null));
    }
    if (get && (m = match(r, "providers", "Microsoft.Compute", "locations", "*", "operations", "*")) != null) {
      String id = m.get(1);
      if (failingPolls.contains(id)) {
        return new Route("operation", () -> faultReply(500, "operation"));
      }
      return new Route("operation", () -> operation(c, id));
    }
    if (r.size() < 4 || !r.get(0).equalsIgnoreCase("resourceGroups") || !r.get(2).equalsIgnoreCase("providers")) {
      throw unknown(c);
    }
    String rg = r.get(1);
    if (!sim.catalogue().hasResourceGroup(rg)) {
      throw new ArmError(404, "ResourceGroupNotFound", "Resource group '" + rg + "' could not be found.");
    }
    List<String> p = r.subList(2, r.size());
    if (get && match(p, "providers", "Microsoft.Compute", "virtualMachines") != null) {
      api(c, COMPUTE_API, "virtualMachines");
      return new Route("vm-list", () -> listVms(c, rg));
    }
    if ((m = match(p, "providers", "Microsoft.Compute", "virtualMachines", "*")) != null && get) {
      api(c, COMPUTE_API, "virtualMachines");
      String name = m.get(0);
      boolean expand = "instanceView".equalsIgnoreCase(c.query().get("$expand"));
      return new Route("vm-get", () -> getVm(c, rg, name, expand));
    }
    if (get && (m = match(p, "providers", "Microsoft.Compute", "virtualMachines", "*", "providers",
        "Microsoft.Authorization", "permissions")) != null) {
      api(c, AUTHORIZATION_API, "permissions");
      String name = m.get(0);
      return new Route("permissions", () -> permissions(rg, name));
    }
    if ((m = match(p, "providers", "Microsoft.Compute", "virtualMachines", "*", "*")) != null) {
      String name = m.get(0);
      String action = m.get(1);
      if (get && action.equalsIgnoreCase("instanceView")) {
        api(c, COMPUTE_API, "virtualMachines");
        return new Route("instanceview", () -> instanceView(c, rg, name));
      }
      Optional<String> known = ACTIONS.stream().filter(a -> a.equalsIgnoreCase(action)).findFirst();
      if (post && known.isPresent()) {
        api(c, COMPUTE_API, "virtualMachines");
        return new Route(known.get().toLowerCase(Locale.ROOT), () -> action(c, rg, name, known.get()));
      }
      throw unknown(c);
    }
    if (!get) {
      throw unknown(c);
    }
    if ((m = match(p, "providers", "Microsoft.Network", "networkInterfaces", "*")) != null) {
      api(c, NETWORK_API, "networkInterfaces");
      String name = m.get(0);
      return new Route("nic-get", () -> Reply.ok(bodies.nic(sim.catalogue().vmByNic(rg, name)
          .orElseThrow(() -> ArmError.notFound("Microsoft.Network/networkInterfaces", rg, name)))));
    }
    if (match(p, "providers", "Microsoft.Network", "networkSecurityGroups") != null) {
      api(c, NETWORK_API, "networkSecurityGroups");
      return new Route("nsg-list", () -> {
        ObjectNode n = ArmBodies.JSON.createObjectNode();
        ArrayNode value = n.putArray("value");
        sim.catalogue().nsgs(rg).forEach(nsg -> value.add(bodies.nsg(sim.catalogue(), nsg)));
        return Reply.ok(n);
      });
    }
    if ((m = match(p, "providers", "Microsoft.Network", "networkSecurityGroups", "*")) != null) {
      api(c, NETWORK_API, "networkSecurityGroups");
      String name = m.get(0);
      return new Route("nsg-get", () -> Reply.ok(bodies.nsg(sim.catalogue(), sim.catalogue().nsg(rg, name)
          .orElseThrow(() -> ArmError.notFound("Microsoft.Network/networkSecurityGroups", rg, name)))));
    }
    if ((m = match(p, "providers", "Microsoft.Network", "publicIPAddresses", "*")) != null) {
      api(c, NETWORK_API, "publicIPAddresses");
      String name = m.get(0);
      return new Route("pip-get", () -> Reply.ok(bodies.publicIp(sim.catalogue().vmByPip(rg, name)
          .orElseThrow(() -> ArmError.notFound("Microsoft.Network/publicIPAddresses", rg, name)))));
    }
    if ((m = match(p, "providers", "Microsoft.Network", "virtualNetworks", "*")) != null) {
      api(c, NETWORK_API, "virtualNetworks");
      String name = m.get(0);
      return new Route("vnet-get", () -> Reply.ok(bodies.vnet(sim.catalogue(), vnet(rg, name))));
    }
    if ((m = match(p, "providers", "Microsoft.Network", "virtualNetworks", "*", "subnets", "*")) != null) {
      api(c, NETWORK_API, "virtualNetworks/subnets");
      String vnetName = m.get(0);
      String subnetName = m.get(1);
      return new Route("subnet-get", () -> {
        Catalogue.Vnet vnet = vnet(rg, vnetName);
        Catalogue.Subnet subnet = vnet.subnets().stream().filter(x -> x.name().equalsIgnoreCase(subnetName))
            .findFirst().orElseThrow(() -> ArmError.notFound("Microsoft.Network/virtualNetworks/subnets", rg,
                vnetName + "/" + subnetName));
        return Reply.ok(bodies.subnet(sim.catalogue(), vnet, subnet));
      });
    }
    if ((m = match(p, "providers", "Microsoft.Network", "applicationSecurityGroups", "*")) != null) {
      api(c, NETWORK_API, "applicationSecurityGroups");
      String name = m.get(0);
      return new Route("asg-get", () -> {
        if (!sim.catalogue().hasAsg(rg, name)) {
          throw ArmError.notFound("Microsoft.Network/applicationSecurityGroups", rg, name);
        }
        return Reply.ok(bodies.asg(rg, name));
      });
    }
    throw unknown(c);
  }

  private Catalogue.Vnet vnet(String rg, String name) {
    return sim.catalogue().vnet(rg, name)
        .orElseThrow(() -> ArmError.notFound("Microsoft.Network/virtualNetworks", rg, name));
  }

  private static ArmError unknown(Call c) {
    return new ArmError(404, UNKNOWN_ROUTE, "No HTTP resource was found that matches the request URI '"
        + String.join("/", c.segs()) + "' for " + c.method() + " (azrdpfix simulated Azure).");
  }

  private static void api(Call c, String expected, String type) {
    String v = c.query().get("api-version");
    if (v == null) {
      throw new ArmError(400, NO_API_VERSION,
          "The api-version query parameter (?api-version=) is required for all requests.");
    }
    if (!v.equals(expected)) {
      throw new ArmError(400, BAD_API_VERSION, "No registered resource provider found for location '"
          + Catalogue.LOCATION + "' and API version '" + v + "' for type '" + type + "'. The supported api-versions"
          + " are '" + expected + "'.");
    }
  }

  // ---- compute handlers

  private Catalogue.Vm vm(String rg, String name) {
    return sim.catalogue().vm(rg, name)
        .orElseThrow(() -> ArmError.notFound("Microsoft.Compute/virtualMachines", rg, name));
  }

  private ArmBodies.VmView view(SimState s, Catalogue.Vm vm, Instant now, boolean withAgent) {
    return new ArmBodies.VmView(sim.power(s, vm, now), withAgent && sim.agentReady(s, vm, now),
        sim.updating(s, vm));
  }

  private Reply getVm(Call c, String rg, String name, boolean expand) {
    Catalogue.Vm vm = vm(rg, name);
    return store.transact(s -> {
      sim.settle(s, c.now());
      return Reply.ok(bodies.vm(vm, view(s, vm, c.now(), expand), expand));
    });
  }

  private Reply instanceView(Call c, String rg, String name) {
    Catalogue.Vm vm = vm(rg, name);
    return store.transact(s -> {
      sim.settle(s, c.now());
      return Reply.ok(bodies.instanceView(vm, view(s, vm, c.now(), true)));
    });
  }

  /** The Azure action ARM authorizes for each route, as in a real 403's message. */
  static final Map<String, String> ROUTE_ACTIONS = Map.ofEntries(
      Map.entry("vm-get", "Microsoft.Compute/virtualMachines/read"),
      Map.entry("vm-list", "Microsoft.Compute/virtualMachines/read"),
      Map.entry("instanceview", "Microsoft.Compute/virtualMachines/instanceView/read"),
      Map.entry("runcommand", "Microsoft.Compute/virtualMachines/runCommand/action"),
      Map.entry("restart", "Microsoft.Compute/virtualMachines/restart/action"),
      Map.entry("start", "Microsoft.Compute/virtualMachines/start/action"),
      Map.entry("poweroff", "Microsoft.Compute/virtualMachines/powerOff/action"),
      Map.entry("deallocate", "Microsoft.Compute/virtualMachines/deallocate/action"),
      Map.entry("reapply", "Microsoft.Compute/virtualMachines/reapply/action"),
      Map.entry("operation", "Microsoft.Compute/locations/operations/read"),
      Map.entry("nic-get", "Microsoft.Network/networkInterfaces/read"),
      Map.entry("nsg-get", "Microsoft.Network/networkSecurityGroups/read"),
      Map.entry("nsg-list", "Microsoft.Network/networkSecurityGroups/read"),
      Map.entry("pip-get", "Microsoft.Network/publicIPAddresses/read"),
      Map.entry("subnet-get", "Microsoft.Network/virtualNetworks/subnets/read"),
      Map.entry("vnet-get", "Microsoft.Network/virtualNetworks/read"),
      Map.entry("asg-get", "Microsoft.Network/applicationSecurityGroups/read"));

  /** The simulated identity's role (fault {@code role:...}) is enforced like ARM does: 403 AuthorizationFailed. */
  private void authorize(String route, String path) {
    String action = ROUTE_ACTIONS.get(route);
    if (action == null) {
      return; // the permissions API answers any caller about itself
    }
    boolean allowed = switch (faults.role()) {
      case OWNER -> true;
      case READER -> action.endsWith("/read");
      case NONE -> false;
    };
    if (!allowed) {
      throw new ArmError(403, "AuthorizationFailed", "The client '" + Catalogue.TENANT.substring(0, 8)
          + "-sim' with object id '" + Catalogue.TENANT + "' does not have authorization to perform action '"
          + action + "' over scope '" + path + "' or the scope is invalid. If access was recently granted, please"
          + " refresh your credentials.");
    }
  }

  /**
   * What ARM's permissions API answers for the simulated identity: Owner ({@code *}) by default, Reader
   * ({@code *}{@code /read}) with the {@code role:reader} fault, no entry with {@code role:none}.
   */
  private Reply permissions(String rg, String name) {
    vm(rg, name);
    ObjectNode n = ArmBodies.JSON.createObjectNode();
    ArrayNode value = n.putArray("value");
    if (faults.role() != FaultPlan.Role.NONE) {
      ObjectNode p = value.addObject();
      p.putArray("actions").add(faults.role() == FaultPlan.Role.READER ? "*/read" : "*");
      p.putArray("notActions");
      p.putArray("dataActions");
      p.putArray("notDataActions");
    }
    return Reply.ok(n);
  }

  private Reply listVms(Call c, String rg) {
    List<Catalogue.Vm> all = sim.catalogue().vms().stream()
        .filter(v -> rg == null || v.resourceGroup().equalsIgnoreCase(rg)).toList();
    int skip;
    try {
      skip = Integer.parseInt(c.query().getOrDefault("$skiptoken", "0"));
    } catch (NumberFormatException e) {
      throw new ArmError(400, "InvalidSkipToken", "The skip token '" + c.query().get("$skiptoken")
          + "' is not valid.");
    }
    boolean withView = "true".equalsIgnoreCase(c.query().get("statusOnly"))
        || "instanceView".equalsIgnoreCase(c.query().get("$expand"));
    List<Catalogue.Vm> page = all.subList(Math.min(Math.max(skip, 0), all.size()),
        Math.min(Math.max(skip, 0) + PAGE_SIZE, all.size()));
    return store.transact(s -> {
      sim.settle(s, c.now());
      ObjectNode n = ArmBodies.JSON.createObjectNode();
      ArrayNode value = n.putArray("value");
      page.forEach(vm -> value.add(bodies.vm(vm, view(s, vm, c.now(), withView), withView)));
      int next = skip + PAGE_SIZE;
      if (next < all.size()) {
        StringBuilder link = new StringBuilder(base).append("/subscriptions/").append(Catalogue.SUBSCRIPTION);
        if (rg != null) {
          link.append("/resourceGroups/").append(rg);
        }
        link.append("/providers/Microsoft.Compute/virtualMachines?api-version=").append(COMPUTE_API);
        if (withView) {
          link.append("&statusOnly=true");
        }
        link.append("&$skiptoken=").append(next);
        n.put("nextLink", link.toString());
      }
      return Reply.ok(n);
    });
  }

  private Reply action(Call c, String rg, String name, String action) {
    Catalogue.Vm vm = vm(rg, name);
    List<String> script = new ArrayList<>();
    Map<String, String> params = new LinkedHashMap<>();
    if (action.equals(Simulation.RUN_COMMAND)) {
      JsonNode input;
      try {
        input = ArmBodies.JSON.readTree(c.body());
      } catch (IOException e) {
        input = null;
      }
      if (input == null || !input.path("commandId").isTextual()) {
        throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be"
            + " deserialized: 'Required property 'commandId' not found in JSON.'");
      }
      String commandId = input.path("commandId").asText();
      String supported = vm.windows() ? "RunPowerShellScript" : "RunShellScript";
      if (!commandId.equalsIgnoreCase(supported)) {
        throw new ArmError(404, "NotFound", "The entity was not found in this Azure location.");
      }
      input.path("script").forEach(l -> script.add(l.asText()));
      for (String field : List.of("parameters", "protectedParameters")) {
        input.path(field).forEach(p -> params.put(p.path("name").asText(), p.path("value").asText()));
      }
    }
    Operation op = store.transact(s -> {
      sim.settle(s, c.now());
      return sim.begin(s, vm, action, script, params, c.now());
    });
    String opUrl = base + "/subscriptions/" + Catalogue.SUBSCRIPTION + "/providers/Microsoft.Compute/locations/"
        + Catalogue.LOCATION + "/operations/" + op.id;
    return new Reply(202, null, Map.of(
        "Azure-AsyncOperation", opUrl + "?p=" + pollToken(op) + "&api-version=" + COMPUTE_API,
        "Location", opUrl + "?p=" + pollToken(op) + "&monitor=true&api-version=" + COMPUTE_API,
        "Retry-After", Integer.toString(sim.latency().retryAfterSeconds())));
  }

  /** The operation id in an operation URL (the last path segment). */
  private static String operationId(String url) {
    String path = URI.create(url).getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Real ARM adds an opaque token to operation URLs; clients must use the URL as given. */
  private static String pollToken(Operation op) {
    return UUID.nameUUIDFromBytes(op.id.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
  }

  private Reply operation(Call c, String id) {
    boolean monitor = "true".equalsIgnoreCase(c.query().get("monitor"));
    return store.transact(s -> {
      sim.settle(s, c.now());
      Operation op = sim.operation(s, id).orElseThrow(() -> new ArmError(404, "NotFound",
          "The operation '" + id + "' was not found."));
      Map<String, String> retry = Map.of("Retry-After", Integer.toString(sim.latency().retryAfterSeconds()));
      if (!monitor) {
        return new Reply(200, bodies.operationStatus(op), op.inProgress() ? retry : Map.of());
      }
      if (op.inProgress()) {
        return new Reply(202, null, retry);
      }
      if ("Failed".equals(op.status)) {
        return new Reply(409, ArmBodies.error(op.errorCode, op.errorMessage), Map.of());
      }
      return op.kind.equals(Simulation.RUN_COMMAND) ? Reply.ok(bodies.runCommandResult(op))
          : new Reply(200, null, Map.of());
    });
  }
}
