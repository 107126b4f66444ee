package dev.azrdpfix.simulator.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable state of the simulated subscription: each VM's power state, agent readiness and guest, and the
 * long-running operations. Serialised to the state file; guests are restored from JSON only when first touched so
 * that start-up stays fast.
 */
public final class SimState {
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Per-VM state. */
  public static final class VmState {
    String power;
    /** When the guest agent reports Ready after the last boot; null while the VM is not booted. */
    Instant agentReadyAt;
    JsonNode guestJson;
    GuestRuntime guest;
  }

  /** One long-running operation (Run Command or a power action). */
  public static final class Operation {
    String id;
    String kind;
    String vmKey;
    Instant start;
    Instant end;
    String status = "InProgress";
    boolean noop;
    List<String> script = List.of();
    Map<String, String> parameters = Map.of();
    String stdout;
    String stderr;
    String errorCode;
    String errorMessage;

    boolean inProgress() {
      return "InProgress".equals(status);
    }
  }

  final Map<String, VmState> vms = new LinkedHashMap<>();
  final List<Operation> operations = new ArrayList<>();
  boolean dirty;

  /** A fresh state from the catalogue: guests are created on first use. */
  static SimState initial(Catalogue catalogue) {
    SimState s = new SimState();
    for (Catalogue.Vm vm : catalogue.vms()) {
      s.vms.put(vm.key(), fresh(vm));
    }
    s.dirty = true;
    return s;
  }

  static VmState fresh(Catalogue.Vm vm) {
    VmState v = new VmState();
    v.power = vm.initialPower();
    v.agentReadyAt = "running".equals(v.power) ? Instant.EPOCH : null;
    return v;
  }

  ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ObjectNode vmsNode = root.putObject("vms");
    for (Map.Entry<String, VmState> e : vms.entrySet()) {
      VmState v = e.getValue();
      ObjectNode n = vmsNode.putObject(e.getKey());
      n.put("power", v.power);
      putInstant(n, "agentReadyAt", v.agentReadyAt);
      JsonNode guest = v.guest != null ? v.guest.toJson() : v.guestJson;
      if (guest != null) {
        n.set("guest", guest);
      }
    }
    ArrayNode ops = root.putArray("operations");
    for (Operation o : operations) {
      ObjectNode n = ops.addObject();
      n.put("id", o.id);
      n.put("kind", o.kind);
      n.put("vm", o.vmKey);
      putInstant(n, "start", o.start);
      putInstant(n, "end", o.end);
      n.put("status", o.status);
      n.put("noop", o.noop);
      ArrayNode script = n.putArray("script");
      o.script.forEach(script::add);
      ObjectNode params = n.putObject("parameters");
      o.parameters.forEach(params::put);
      n.put("stdout", o.stdout);
      n.put("stderr", o.stderr);
      n.put("errorCode", o.errorCode);
      n.put("errorMessage", o.errorMessage);
    }
    return root;
  }

  /** Reads a saved state; VMs missing from it (a newer catalogue) start fresh. */
  static SimState fromJson(JsonNode root, Catalogue catalogue) {
    if (root.path("version").asInt() != VERSION || !root.path("vms").isObject()) {
      throw new IllegalArgumentException("unknown state format");
    }
    SimState s = new SimState();
    for (Catalogue.Vm vm : catalogue.vms()) {
      JsonNode n = root.path("vms").get(vm.key());
      if (n == null) {
        s.vms.put(vm.key(), fresh(vm));
        s.dirty = true;
        continue;
      }
      VmState v = new VmState();
      v.power = n.path("power").asText(vm.initialPower());
      v.agentReadyAt = instant(n.get("agentReadyAt"));
      v.guestJson = n.get("guest");
      s.vms.put(vm.key(), v);
    }
    for (JsonNode n : root.path("operations")) {
      Operation o = new Operation();
      o.id = n.path("id").asText();
      o.kind = n.path("kind").asText();
      o.vmKey = n.path("vm").asText();
      o.start = instant(n.get("start"));
      o.end = instant(n.get("end"));
      o.status = n.path("status").asText();
      o.noop = n.path("noop").asBoolean();
      List<String> script = new ArrayList<>();
      n.path("script").forEach(l -> script.add(l.asText()));
      o.script = script;
      Map<String, String> params = new LinkedHashMap<>();
      n.path("parameters").fields().forEachRemaining(f -> params.put(f.getKey(), f.getValue().asText()));
      o.parameters = params;
      o.stdout = text(n.get("stdout"));
      o.stderr = text(n.get("stderr"));
      o.errorCode = text(n.get("errorCode"));
      o.errorMessage = text(n.get("errorMessage"));
      if (o.start == null || o.end == null || !s.vms.containsKey(o.vmKey)) {
        throw new IllegalArgumentException("bad operation " + o.id);
      }
      s.operations.add(o);
    }
    return s;
  }

  private static void putInstant(ObjectNode n, String field, Instant value) {
    if (value == null) {
      n.putNull(field);
    } else {
      n.put(field, value.toString());
    }
  }

  private static Instant instant(JsonNode n) {
    return n == null || n.isNull() ? null : Instant.parse(n.asText());
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
