package dev.azrdpfix.probe;

import static dev.azrdpfix.probe.ProbeFixtures.last;
import static dev.azrdpfix.probe.ProbeFixtures.loopback;
import static dev.azrdpfix.probe.ProbeFixtures.probe;
import static dev.azrdpfix.probe.ProbeFixtures.stage;
import static dev.azrdpfix.probe.ProbeFixtures.stageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeStage;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.simulator.rdp.FakeRdpServer;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.simulator.rdp.RdpServerMessages;
import dev.azrdpfix.simulator.rdp.ScriptedRdpServer;
import dev.azrdpfix.simulator.rdp.TestCertificates;
import dev.azrdpfix.testing.VirtualTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Every FakeRdpServer mode, over a real loopback socket, classified by the real prober. */
class TcpRdpProberTest {

  @Test
  void healthy_nla_server_is_ok_in_one_connection_and_few_round_trips() {
    var cert = TestCertificates.valid();
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_NLA))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      assertTrue(r.ok());
      assertEquals(List.of("tcp-connect", "negotiation", "tls-handshake", "certificate", "credssp"), stageNames(r));
      assertTrue(r.stages().stream().allMatch(s -> s.status() == ProbeStage.Status.OK), r.stages().toString());
      assertEquals("HYBRID_EX", r.negotiation().selectedProtocolName());
      assertEquals(0x0B, r.negotiation().requestedProtocols());
      assertEquals("TLSv1.3", r.tls().version());
      assertFalse(r.tls().weak());
      assertEquals(cert.thumbprint(), r.certificate().thumbprint());
      assertEquals("CN=web-01", r.certificate().subject());
      assertTrue(r.certificate().selfSigned());
      assertFalse(r.certificate().expired());
      assertNull(r.certificate().matchesExpected());
      assertEquals("WEB-01", r.ntlm().netbiosComputerName());
      assertEquals("web-01", r.ntlm().dnsComputerName());
      assertEquals("10.0.20348", r.ntlm().osVersion());
      assertTrue(Math.abs(r.ntlm().clockSkewMillis()) < 5_000, "skew " + r.ntlm().clockSkewMillis());
      assertEquals(List.of(), r.warnings());
      assertEquals(1, server.connectionCount(), "a healthy server is classified in ONE connection");
      // CR/CC, TLS 1.3 (one flight, plus the compatibility ChangeCipherSpec turn), one CredSSP exchange.
      assertEquals(4, r.roundTrips(), "round trips");
      assertEquals(1, r.attempts());
    }
  }

  @Test
  void tls_1_2_nla_server_is_ok_within_six_round_trips() throws Exception {
    try (var server = new ScriptedRdpServer(c -> {
      c.readRequest();
      c.confirm(0x02);
      SSLSocket s = c.tls(TestCertificates.valid(), "TLSv1.2");
      RdpServerMessages.readTsRequest(s.getInputStream());
      s.getOutputStream().write(RdpServerMessages.tsRequestWithToken(
          RdpServerMessages.ntlmChallenge("db-02", Instant.now())));
      s.getOutputStream().flush();
      c.hold();
    })) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      assertEquals("TLSv1.2", r.tls().version());
      assertEquals("HYBRID", r.negotiation().selectedProtocolName());
      assertEquals("DB-02", r.ntlm().netbiosComputerName());
      assertEquals(1 + 2 + 1, r.roundTrips(), "CR/CC, two TLS 1.2 round trips, one CredSSP exchange");
      assertEquals(1, server.connectionCount());
    }
  }

  @Test
  void healthy_tls_server_without_nla_is_ok_and_skips_credssp() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_TLS))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      assertEquals("SSL", r.negotiation().selectedProtocolName());
      assertEquals(List.of("tcp-connect", "negotiation", "tls-handshake", "certificate"), stageNames(r));
      assertNull(r.ntlm());
      assertTrue(r.roundTrips() <= 6, "round trips: " + r.roundTrips());
    }
  }

  @Test
  void expected_thumbprint_as_windows_copies_it_matches() {
    var cert = TestCertificates.valid();
    String pasted = "\u200E" + cert.thumbprint().toLowerCase().replaceAll("(..)", "$1 ").trim();
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_NLA))) {
      ProbeResult r = new TcpRdpProber().probe(
          new ProbeRequest("127.0.0.1", server.port(), ProbeFixtures.STAGE, Duration.ZERO, pasted));

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      assertEquals(Boolean.TRUE, r.certificate().matchesExpected());
    }
  }

  @Test
  void other_thumbprint_is_a_certificate_mismatch() {
    String other = "0123456789ABCDEF0123456789ABCDEF01234567";
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_NLA))) {
      ProbeResult r = new TcpRdpProber().probe(
          new ProbeRequest("127.0.0.1", server.port(), ProbeFixtures.STAGE, Duration.ZERO, other));

      assertEquals(ProbeVerdict.CERTIFICATE_MISMATCH, r.verdict(), r.summary());
      assertTrue(r.summary().contains(other), r.summary());
      assertTrue(r.summary().contains(TestCertificates.valid().thumbprint()), r.summary());
      assertEquals(Boolean.FALSE, r.certificate().matchesExpected());
      assertEquals(ProbeStage.Status.FAILED, stage(r, "certificate").status());
    }
  }

  @Test
  void expired_certificate_is_reported_and_ntlm_still_decoded() {
    var expired = TestCertificates.expired();
    try (var server = new FakeRdpServer(
        () -> TestCertificates.behaviour(Mode.HEALTHY_NLA, expired, Duration.ZERO))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.CERTIFICATE_EXPIRED, r.verdict(), r.summary());
      assertTrue(r.certificate().expired());
      assertTrue(r.summary().contains("expired on " + r.certificate().notAfter()), r.summary());
      assertEquals("WEB-01", r.ntlm().netbiosComputerName(), "later stages still run for the report");
    }
  }

  @Test
  void certificate_from_the_future_is_not_yet_valid() {
    var future = TestCertificates.notYetValid();
    try (var server = new FakeRdpServer(
        () -> TestCertificates.behaviour(Mode.HEALTHY_TLS, future, Duration.ZERO))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.CERTIFICATE_NOT_YET_VALID, r.verdict(), r.summary());
      assertTrue(r.certificate().notYetValid());
    }
  }

  @Test
  void injected_clock_decides_certificate_validity() {
    // The same valid certificate, judged by a clock two years ahead, is expired.
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(730));
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_TLS))) {
      ProbeResult r = new TcpRdpProber(later).probe(loopback(server.port()));

      assertEquals(ProbeVerdict.CERTIFICATE_EXPIRED, r.verdict(), r.summary());
    }
  }

  @Test
  void guest_clock_skew_shows_in_ntlm_and_warns() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(
        Mode.HEALTHY_NLA, TestCertificates.valid(), Duration.ofMinutes(-42)))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      long skew = r.ntlm().clockSkewMillis();
      assertTrue(Math.abs(skew + 42 * 60_000L) < 5_000, "skew " + skew);
      assertEquals(1, r.warnings().size(), r.warnings().toString());
      assertTrue(r.warnings().get(0).contains("42 min"), r.warnings().get(0));
    }
  }

  @Test
  void refused_port_is_tcp_refused() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.REFUSED))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.TCP_REFUSED, r.verdict(), r.summary());
      assertEquals(List.of("tcp-connect"), stageNames(r));
      assertEquals(ProbeStage.Status.FAILED, last(r).status());
    }
  }

  @Test
  void blackholed_port_times_out_within_the_stage_timeout() {
    Duration timeout = Duration.ofMillis(600);
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.BLACKHOLE))) {
      assertTrue(server.blackholeDropsSyns(), "this kernel should drop SYNs to a full accept queue");
      long start = System.nanoTime();
      ProbeResult r = new TcpRdpProber().probe(loopback(server.port(), timeout));
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertEquals(ProbeVerdict.TCP_TIMEOUT, r.verdict(), r.summary());
      assertTrue(millis >= 500, "classified before the timeout passed? " + millis + " ms");
      assertTrue(millis <= 600 + 1_500, "a black-holed port must be classified within its timeout: " + millis);
    }
  }

  @Test
  void listener_that_never_answers_is_no_response_within_the_stage_timeout() {
    Duration timeout = Duration.ofMillis(600);
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.NO_RESPONSE))) {
      long start = System.nanoTime();
      ProbeResult r = new TcpRdpProber().probe(loopback(server.port(), timeout));
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertEquals(ProbeVerdict.NO_RESPONSE, r.verdict(), r.summary());
      assertEquals("negotiation", last(r).name());
      assertTrue(millis >= 500 && millis <= 600 + 1_500, millis + " ms");
    }
  }

  @Test
  void close_after_client_hello_is_the_0x904_tls_failure() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.CLOSE_AFTER_CLIENT_HELLO))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.TLS_HANDSHAKE_FAILED, r.verdict(), r.summary());
      assertTrue(r.summary().contains("closed the connection right after the TLS ClientHello"), r.summary());
      assertEquals("tls-handshake", last(r).name());
      assertEquals("HYBRID_EX", r.negotiation().selectedProtocolName());
    }
  }

  @Test
  void cert_not_on_server_is_a_named_negotiation_failure() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.NEG_FAILURE_CERT_NOT_ON_SERVER))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.NEGOTIATION_FAILED, r.verdict(), r.summary());
      assertEquals(3, r.negotiation().failureCode());
      assertEquals("SSL_CERT_NOT_ON_SERVER", r.negotiation().failureName());
      assertTrue(r.summary().contains("SSL_CERT_NOT_ON_SERVER"), r.summary());
    }
  }

  @Test
  void security_layer_rdp_is_standard_rdp_security_only() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.STANDARD_RDP_ONLY))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, r.verdict(), r.summary());
      assertEquals("SSL_NOT_ALLOWED_BY_SERVER", r.negotiation().failureName());
    }
  }

  @Test
  void fatal_tls_alert_is_named() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.TLS_ALERT))) {
      ProbeResult r = probe(server.port());

      assertEquals(ProbeVerdict.TLS_HANDSHAKE_FAILED, r.verdict(), r.summary());
      assertTrue(r.summary().contains("internal_error"), r.summary());
    }
  }

  @Test
  void server_follows_the_supplier_on_every_connection_and_wait_for_retries_until_ok() {
    AtomicReference<RdpBehaviour> state = new AtomicReference<>(TestCertificates.behaviour(Mode.REFUSED));
    try (var server = new FakeRdpServer(state::get)) {
      // The VM comes up while the prober waits after its first (refused) attempt; the waits are virtual, plus the
      // few real milliseconds the fake server needs to notice (it polls its behaviour every 50 ms).
      VirtualTime time = new VirtualTime();
      Sleeper upWhileWaiting = d -> {
        state.set(TestCertificates.behaviour(Mode.HEALTHY_NLA));
        time.sleep(d);
        sleep(200);
      };
      var prober = new TcpRdpProber(time, upWhileWaiting, Duration.ofMillis(200), Duration.ofMillis(400));
      ProbeResult r = prober.probe(
          new ProbeRequest("127.0.0.1", server.port(), ProbeFixtures.STAGE, Duration.ofSeconds(10), null));

      assertEquals(ProbeVerdict.OK, r.verdict(), r.summary());
      assertEquals(2, r.attempts(), "refused, then ok after the first backoff");
      assertEquals(200, r.elapsedMillis(), "the first backoff, in the prober's clock");
    }
  }

  @Test
  void wait_for_gives_up_at_the_deadline_with_the_last_verdict() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.REFUSED))) {
      VirtualTime time = new VirtualTime();
      var prober = new TcpRdpProber(time, time, Duration.ofMillis(200), Duration.ofMillis(400));
      ProbeResult r = prober.probe(
          new ProbeRequest("127.0.0.1", server.port(), ProbeFixtures.STAGE, Duration.ofMillis(1500), null));

      assertEquals(ProbeVerdict.TCP_REFUSED, r.verdict(), r.summary());
      // Attempts at 0, 200, 600, 1000 and 1400 ms (backoff 200, doubling, capped at 400), the last wait cut to the
      // deadline, and a last attempt at 1500 ms.
      assertEquals(6, r.attempts(), "attempts");
      assertEquals(1_500, r.elapsedMillis());
      assertEquals(Duration.ofMillis(1500), time.elapsed());
    }
  }

  @Test
  void fake_server_switches_between_port_states_on_the_same_port() {
    AtomicReference<RdpBehaviour> state = new AtomicReference<>(TestCertificates.behaviour(Mode.HEALTHY_TLS));
    try (var server = new FakeRdpServer(state::get)) {
      assertEquals(ProbeVerdict.OK, probe(server.port()).verdict());
      state.set(TestCertificates.behaviour(Mode.REFUSED));
      sleep(300);
      assertEquals(ProbeVerdict.TCP_REFUSED, probe(server.port()).verdict());
      state.set(TestCertificates.behaviour(Mode.BLACKHOLE));
      sleep(800);
      assertEquals(ProbeVerdict.TCP_TIMEOUT, new TcpRdpProber().probe(loopback(server.port(),
          Duration.ofMillis(700))).verdict());
      state.set(TestCertificates.behaviour(Mode.NEG_FAILURE_CERT_NOT_ON_SERVER));
      sleep(300);
      assertEquals(ProbeVerdict.NEGOTIATION_FAILED, probe(server.port()).verdict());
    }
  }

  @Test
  void unresolvable_host_is_host_not_found_without_any_lookup_traffic() {
    // A malformed IPv6 literal fails inside InetAddress before any DNS query: the test stays off the network.
    ProbeResult r = new TcpRdpProber().probe(loopbackHost("[::zz]"));

    assertEquals(ProbeVerdict.HOST_NOT_FOUND, r.verdict(), r.summary());
    assertEquals(List.of("tcp-connect"), stageNames(r));
    assertTrue(r.summary().startsWith("cannot resolve [::zz]"), r.summary());
  }

  private static ProbeRequest loopbackHost(String host) {
    return new ProbeRequest(host, 3389, ProbeFixtures.STAGE, Duration.ZERO, null);
  }

  @Test
  void bad_requests_are_usage_errors() {
    var prober = new TcpRdpProber();
    var badPort = assertThrows(AzrdpfixException.class,
        () -> prober.probe(new ProbeRequest("127.0.0.1", 70000, Duration.ofSeconds(1), Duration.ZERO, null)));
    assertEquals(ExitCode.USAGE, badPort.exitCode());
    var badThumb = assertThrows(AzrdpfixException.class,
        () -> prober.probe(new ProbeRequest("127.0.0.1", 3389, Duration.ofSeconds(1), Duration.ZERO, "abc")));
    assertEquals(ExitCode.USAGE, badThumb.exitCode());
    assertFalse(badThumb.getMessage().contains("\n"));
    var noHost = assertThrows(AzrdpfixException.class,
        () -> prober.probe(new ProbeRequest(" ", 3389, Duration.ofSeconds(1), Duration.ZERO, null)));
    assertEquals(ExitCode.USAGE, noHost.exitCode());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
