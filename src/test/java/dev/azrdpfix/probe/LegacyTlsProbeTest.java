package dev.azrdpfix.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A TLS 1.0/1.1-only server is diagnosed as weak TLS, not misreported as a broken handshake. Runs in a fresh JVM
 * because the JDK reads its TLS policy once, and this test JVM may already have used TLS.
 */
class LegacyTlsProbeTest {

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1", "TLSv1.1"})
  void legacy_only_server_is_ok_with_a_weak_tls_warning_and_other_clients_stay_on_tls_1_2_plus(String version)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LegacyTlsProbeMain.class.getName(), version).redirectErrorStream(false).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "forked probe did not finish");
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), stderr);
    JsonNode out = new ObjectMapper().readTree(stdout);
    JsonNode r = out.get("result");

    assertEquals("ok", r.get("verdict").asText(), r.get("summary").asText());
    assertEquals(version, r.at("/tls/version").asText());
    assertTrue(r.at("/tls/weak").asBoolean());
    assertEquals("warn", r.at("/stages/2/status").asText());
    assertTrue(r.get("warnings").get(0).asText().contains("below TLS 1.2"), r.get("warnings").toString());
    assertTrue(out.get("policyChanged").asBoolean());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"),
        new ObjectMapper().convertValue(out.get("defaultClientProtocols"), List.class),
        "relaxing for the probe must not let other TLS clients in the process downgrade");
  }
}
