package dev.azrdpfix.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.model.RunId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the {@code facts} object of the diagnose marker line to {@link GuestFacts}. Missing keys and values of the
 * wrong JSON type become null, so an older or newer guest still yields whatever it did report. The guest is
 * untrusted: numbers are range checked here ({@link #RANGES}); a value out of its range becomes null and is listed by
 * {@link #outOfRange} (the finding {@code guest-value-out-of-range}), never a crash later (e.g. a probe of port 0).
 */
public final class GuestFactsMapper {
  /** The script finding id ResultParser adds for each value out of range. */
  public static final String OUT_OF_RANGE = "guest-value-out-of-range";

  /** Path in the facts object -> {min, max}. Ports are TCP ports; counts and sizes are bounded. */
  static final Map<String, long[]> RANGES = Map.ofEntries(
      Map.entry("registry.PortNumber", new long[] {1, 65535}),
      Map.entry("listener.port", new long[] {1, 65535}),
      Map.entry("mtu", new long[] {68, 65535}),
      Map.entry("certCount", new long[] {0, 100_000}),
      Map.entry("sessions", new long[] {0, 100_000}),
      Map.entry("firewall.blockRules", new long[] {0, 100_000}),
      Map.entry("events.*", new long[] {0, 10_000_000}));

  private GuestFactsMapper() {}

  /** Each number of {@code facts} outside its range, as "path = value (range min-max)". */
  public static List<String> outOfRange(JsonNode f) {
    List<String> out = new ArrayList<>();
    if (f == null || !f.isObject()) {
      return out;
    }
    for (Map.Entry<String, long[]> r : new java.util.TreeMap<>(RANGES).entrySet()) {
      String path = r.getKey();
      List<Map.Entry<String, JsonNode>> values = new ArrayList<>();
      if (path.endsWith(".*")) {
        JsonNode parent = f.get(path.substring(0, path.length() - 2));
        if (parent != null && parent.isObject()) {
          parent.fields().forEachRemaining(e -> values.add(Map.entry(path.substring(0, path.length() - 1)
              + e.getKey(), e.getValue())));
        }
      } else {
        JsonNode n = f;
        for (String part : path.split("\\.")) {
          n = n == null || !n.isObject() ? null : n.get(part);
        }
        if (n != null) {
          values.add(Map.entry(path, n));
        }
      }
      for (Map.Entry<String, JsonNode> v : values) {
        JsonNode n = v.getValue();
        if (n.isNumber() && (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < r.getValue()[0]
            || n.asLong() > r.getValue()[1])) {
          out.add(v.getKey() + " = " + cut(n.asText(), 24) + " (expected " + r.getValue()[0] + "-"
              + r.getValue()[1] + "); ignored");
        }
      }
    }
    return out;
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  public static GuestFacts map(JsonNode f) {
    if (f == null || !f.isObject()) {
      return null;
    }
    List<GuestFacts.Cert> certs = new ArrayList<>();
    for (JsonNode c : array(f.get("certs"))) {
      certs.add(new GuestFacts.Cert(text(c, "tp"), text(c, "subject"), text(c, "notBefore"), text(c, "notAfter"),
          bool(c, "selfSigned"), bool(c, "hasKey"), bool(c, "keyReadable"), text(c, "store")));
    }
    Map<String, GuestFacts.Service> services = new LinkedHashMap<>();
    JsonNode svc = f.get("services");
    if (svc != null && svc.isObject()) {
      svc.fields().forEachRemaining(e -> {
        if (e.getValue().isObject()) {
          JsonNode s = e.getValue();
          services.put(e.getKey(), new GuestFacts.Service(text(s, "state"), text(s, "start"), text(s, "account")));
        }
      });
    }
    JsonNode os = obj(f, "os");
    JsonNode dom = obj(f, "domain");
    JsonNode bind = obj(f, "binding");
    JsonNode mk = obj(f, "machineKeys");
    JsonNode lis = obj(f, "listener");
    JsonNode reg = obj(f, "registry");
    JsonNode tls = obj(f, "tls");
    JsonNode fw = obj(f, "firewall");
    JsonNode key = obj(f, "rdpKey");
    JsonNode tlsOff = obj(f, "tlsDisabledByDefault");
    Map<String, Integer> events = new LinkedHashMap<>();
    JsonNode ev = f.get("events");
    if (ev != null && ev.isObject()) {
      ev.fields().forEachRemaining(e -> {
        if (e.getValue().canConvertToInt() && ranged(e.getValue().asInt(), "events.*") != null) {
          events.put(e.getKey(), e.getValue().asInt());
        }
      });
    }
    return new GuestFacts(
        text(f, "time"),
        os == null ? null : new GuestFacts.Os(text(os, "caption"), text(os, "build")),
        dom == null ? null : new GuestFacts.Domain(bool(dom, "joined"), text(dom, "name")),
        certs,
        ranged(integer(f, "certCount"), "certCount"),
        bind == null ? null : new GuestFacts.Binding(text(bind, "tp"), bool(bind, "found")),
        mk == null ? null : new GuestFacts.MachineKeys(text(mk, "sddl"), bool(mk, "isDefault"), bool(mk, "grantsOk"),
            bool(mk, "rdpKeyReadable"), bool(mk, "corrupt")),
        services,
        lis == null ? null
            : new GuestFacts.Listener(ranged(integer(lis, "port"), "listener.port"), text(lis, "process"),
                text(lis, "service")),
        reg == null ? null : new GuestFacts.Registry(integer(reg, "fDenyTSConnections"),
            integer(reg, "policyDenyTSConnections"), ranged(integer(reg, "PortNumber"), "registry.PortNumber"),
            integer(reg, "SecurityLayer"),
            integer(reg, "UserAuthentication"), integer(reg, "MinEncryptionLevel"), integer(reg, "fEnableWinStation"),
            integer(reg, "TSEnabled"),
            integer(reg, "TSUserEnabled"), integer(reg, "TSServerDrainMode"), integer(reg, "fLogonDisabled"),
            integer(reg, "LanAdapter")),
        strings(f.get("gpo")),
        tls == null ? null : new GuestFacts.Tls(integer(tls, "1.0"), integer(tls, "1.1"), integer(tls, "1.2")),
        integer(f, "fips"),
        fw == null ? null : new GuestFacts.Firewall(boolMap(fw.get("profiles")), boolMap(fw.get("rdpRules")),
            bool(fw, "blockInbound"), strings(fw.get("active")),
            ranged(integer(fw, "blockRules"), "firewall.blockRules")),
        events,
        ranged(integer(f, "mtu"), "mtu"),
        key == null ? null : new GuestFacts.RdpKey(text(key, "tp"), text(key, "source"), text(key, "provider"),
            text(key, "file"), text(key, "sddl"), key.get("missing") != null && key.get("missing").isArray()
                ? strings(key.get("missing")) : null,
            bool(key, "opens")),
        ranged(integer(f, "sessions"), "sessions"),
        tlsOff == null ? null
            : new GuestFacts.Tls(integer(tlsOff, "1.0"), integer(tlsOff, "1.1"), integer(tlsOff, "1.2")),
        lock(obj(f, "lock")));
  }

  /** The lock, each field validated (run id pattern, kind, ISO time) or null. */
  public static GuestFacts.Lock lock(JsonNode l) {
    if (l == null) {
      return null;
    }
    String runId = text(l, "runId");
    String kind = text(l, "kind");
    String started = text(l, "started");
    return new GuestFacts.Lock(RunId.isValid(runId) ? runId : null,
        "repair".equals(kind) || "rollback".equals(kind) ? kind : null,
        started != null && started.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z") ? started : null);
  }

  /** {@code v} when it lies in the range of {@code path}, else null. */
  private static Integer ranged(Integer v, String path) {
    long[] r = RANGES.get(path);
    return v == null || v < r[0] || v > r[1] ? null : v;
  }

  private static JsonNode obj(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isObject() ? v : null;
  }

  private static Iterable<JsonNode> array(JsonNode n) {
    return n != null && n.isArray() ? n : List.of();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static Integer integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isIntegralNumber() && v.canConvertToInt() ? v.asInt() : null;
  }

  private static Boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isBoolean() ? v.asBoolean() : null;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : array(n)) {
      if (v.isTextual()) {
        out.add(v.asText());
      }
    }
    return out;
  }

  private static Map<String, Boolean> boolMap(JsonNode n) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    if (n != null && n.isObject()) {
      n.fields().forEachRemaining(e -> {
        if (e.getValue().isBoolean()) {
          out.put(e.getKey(), e.getValue().asBoolean());
        }
      });
    }
    return out;
  }
}
