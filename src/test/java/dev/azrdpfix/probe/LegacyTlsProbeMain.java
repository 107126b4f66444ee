package dev.azrdpfix.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.simulator.rdp.ScriptedRdpServer;
import dev.azrdpfix.simulator.rdp.TestCertificates;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Run in a fresh JVM by {@link LegacyTlsProbeTest}: relaxes the TLS policy first thing (as Main does), probes a
 * TLS 1.0-only server, and prints the result plus the default client protocols as JSON on stdout.
 */
public final class LegacyTlsProbeMain {
  private LegacyTlsProbeMain() {}

  public static void main(String[] args) throws Exception {
    boolean changed = TlsPolicy.relaxForProbing();
    String serverVersion = args.length > 0 ? args[0] : "TLSv1";
    try (var server = new ScriptedRdpServer(c -> {
      c.readRequest();
      c.confirm(0x01);
      c.tls(TestCertificates.valid(), serverVersion);
      c.hold();
    })) {
      ProbeResult r = new TcpRdpProber().probe(
          new ProbeRequest("127.0.0.1", server.port(), Duration.ofSeconds(10), Duration.ZERO, null));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("policyChanged", changed);
      out.put("defaultClientProtocols", List.of(SSLContext.getDefault().getDefaultSSLParameters().getProtocols()));
      out.put("result", r);
      System.out.println(new ObjectMapper().registerModule(ProbeJson.module()).writeValueAsString(out));
    }
  }
}
