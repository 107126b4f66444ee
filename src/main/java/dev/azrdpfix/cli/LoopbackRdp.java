package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.core.probe.RdpProber;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the probe on loopback when azrdpfix talks to a served simulator ({@code azrdpfix simulator serve}): its VMs
 * have documentation addresses (203.0.113.x) that must never be probed over the real network. When the ARM endpoint
 * is a loopback address, or {@value #VARIABLE} is set, each probe goes to the loopback listener the map names for the
 * VM's address, and an address the map does not cover is not probed at all (the result says why).
 *
 * <p>The map is {@code IP:PORT=127.0.0.1:PORT[,...]}, printed by {@code simulator serve}; every target must be a
 * loopback address.
 */
final class LoopbackRdp {
  static final String VARIABLE = "AZRDPFIX_RDP_MAP";

  private LoopbackRdp() {}

  /** The map in {@code value} (null or blank: empty). Usage error for a malformed entry or a non-loopback target. */
  static Map<String, InetSocketAddress> parse(String value) {
    Map<String, InetSocketAddress> map = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      return map;
    }
    for (String item : value.split(",")) {
      String e = item.trim();
      if (e.isEmpty()) {
        continue;
      }
      String[] kv = e.split("=", 2);
      InetSocketAddress target = kv.length == 2 ? hostPort(kv[1]) : null;
      if (kv.length != 2 || hostPort(kv[0]) == null || target == null) {
        throw AzrdpfixException.usage(VARIABLE + " entry '" + e + "' is not IP:PORT=127.0.0.1:PORT: copy the value"
            + " that 'azrdpfix simulator serve' prints.");
      }
      if (!isLoopback(target.getHostString())) {
        throw AzrdpfixException.usage(VARIABLE + " entry '" + e + "' maps to " + target.getHostString()
            + ", which is not a loopback address: the map only redirects probes to local listeners.");
      }
      map.put(kv[0].trim(), target);
    }
    return map;
  }

  private static InetSocketAddress hostPort(String s) {
    String t = s.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = t.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(t.substring(colon + 1));
      return port < 1 || port > 65535 || !host.matches("[0-9A-Za-z.:_-]+") ? null
          : InetSocketAddress.createUnresolved(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** 127.0.0.0/8, ::1 and localhost: by their text, without any name lookup. */
  static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(java.util.Locale.ROOT).replace("[", "").replace("]", "");
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The probe, redirected by {@code map} and never sent off loopback. */
  static RdpProber prober(RdpProber base, Map<String, InetSocketAddress> map) {
    return request -> {
      String vmAddress = request.host() + ":" + request.port();
      InetSocketAddress to = map.get(vmAddress);
      if (to == null) {
        if (isLoopback(request.host())) {
          return base.probe(request);
        }
        return new ProbeResult(ProbeVerdict.HOST_NOT_FOUND, "not probed: the ARM endpoint is on loopback (a"
            + " simulator) and " + vmAddress + " has no loopback listener in " + VARIABLE + ", so nothing was sent"
            + " off loopback. Set " + VARIABLE + " as 'azrdpfix simulator serve' prints it.", request.host(),
            request.port(), 0, 0, 0, null, null, null, null, null, null);
      }
      ProbeResult r = base.probe(new ProbeRequest(to.getHostString(), to.getPort(), request.stageTimeout(),
          request.waitFor(), request.expectedThumbprint()));
      String listener = to.getHostString() + ":" + to.getPort();
      String summary = r.summary() == null ? null : r.summary().replace(listener, vmAddress);
      return new ProbeResult(r.verdict(), summary, request.host(), request.port(), r.attempts(), r.elapsedMillis(),
          r.roundTrips(), r.stages(), r.negotiation(), r.tls(), r.certificate(), r.ntlm(), r.warnings());
    };
  }
}
