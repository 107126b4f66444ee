package dev.azrdpfix.probe;

import static dev.azrdpfix.probe.ProbeFixtures.last;
import static dev.azrdpfix.probe.ProbeFixtures.loopback;
import static dev.azrdpfix.probe.ProbeFixtures.probe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.simulator.rdp.RdpServerMessages;
import dev.azrdpfix.simulator.rdp.ScriptedRdpServer;
import dev.azrdpfix.simulator.rdp.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Answers a real RDP server might give on a bad day, and answers no RDP server should give. Never a hang. */
class ProbeEdgeCasesTest {
  private static final byte[] CC_TLS = RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_RSP, 0, 1);

  private static ProbeResult run(ScriptedRdpServer.Script script) throws Exception {
    try (var server = new ScriptedRdpServer(script)) {
      return probe(server.port());
    }
  }

  private static ProbeResult runTimed(ScriptedRdpServer.Script script, Duration stage, long maxMillis)
      throws Exception {
    try (var server = new ScriptedRdpServer(script)) {
      long start = System.nanoTime();
      ProbeResult r = new TcpRdpProber().probe(loopback(server.port(), stage));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis <= maxMillis, "took " + millis + " ms for " + r);
      return r;
    }
  }

  private static void assertVerdict(ProbeVerdict expected, ProbeResult r, String inSummary) {
    assertEquals(expected, r.verdict(), r.summary());
    assertTrue(r.summary().contains(inSummary), "summary: " + r.summary());
    assertFalse(r.summary().contains("\n"), "one line");
    assertFalse(r.summary().contains("Exception"), "no exception names for people: " + r.summary());
  }

  @Test
  void legacy_server_without_negotiation_data_uses_standard_rdp_security() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(RdpServerMessages.legacyConnectionConfirm());
      c.hold();
    });
    assertVerdict(ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, r, "legacy");
    assertFalse(r.negotiation().negotiationData());
  }

  @Test
  void server_selecting_protocol_rdp_is_standard_rdp_security_only() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.confirm(0);
    });
    assertVerdict(ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, r, "Standard RDP Security");
    assertEquals("RDP", r.negotiation().selectedProtocolName());
  }

  @ParameterizedTest
  @CsvSource({"1,SSL_REQUIRED_BY_SERVER", "4,INCONSISTENT_FLAGS", "5,HYBRID_REQUIRED_BY_SERVER",
      "6,SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER", "153,UNKNOWN_FAILURE_0x99"})
  void negotiation_failures_are_named(int code, String name) throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(RdpServerMessages.connectionConfirm(RdpServerMessages.TYPE_FAILURE, 0, code));
    });
    assertVerdict(ProbeVerdict.NEGOTIATION_FAILED, r, name);
    assertEquals(name, r.negotiation().failureName());
  }

  @Test
  void http_server_on_the_port_is_a_protocol_error() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "does not speak RDP");
  }

  @Test
  void wrong_tpdu_code_is_a_protocol_error() throws Exception {
    byte[] dataTpdu = CC_TLS.clone();
    dataTpdu[5] = (byte) 0xF0;
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(dataTpdu);
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "0xF0");
  }

  @Test
  void truncated_confirm_then_close_is_a_protocol_error() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(Arrays.copyOf(CC_TLS, 12));
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "truncated");
  }

  @Test
  void truncated_confirm_then_silence_is_a_protocol_error_within_the_timeout() throws Exception {
    ProbeResult r = runTimed(c -> {
      c.readRequest();
      c.send(Arrays.copyOf(CC_TLS, 9));
      c.hold();
    }, Duration.ofMillis(800), 2_500);
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "still incomplete");
  }

  @Test
  void short_header_then_close_is_a_protocol_error() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(new byte[] {0x03, 0x00});
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "2 byte(s)");
  }

  @Test
  void implausible_tpkt_length_is_a_protocol_error_without_reading_it() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(new byte[] {0x03, 0x00, (byte) 0xFF, (byte) 0xFF, 0x0E, (byte) 0xD0});
      c.hold();
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "implausible length 65535");
  }

  @Test
  void truncated_negotiation_data_is_a_protocol_error() throws Exception {
    byte[] cc = Arrays.copyOf(CC_TLS, 15);
    cc[3] = 15;
    cc[4] = 10;
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(cc);
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "negotiation data is truncated");
  }

  @Test
  void unknown_negotiation_type_and_bad_length_are_protocol_errors() throws Exception {
    byte[] type7 = CC_TLS.clone();
    type7[11] = 0x07;
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, run(c -> {
      c.readRequest();
      c.send(type7);
    }), "unknown negotiation response type 0x07");
    byte[] len9 = CC_TLS.clone();
    len9[13] = 9;
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, run(c -> {
      c.readRequest();
      c.send(len9);
    }), "declares length 9");
  }

  @Test
  void protocol_that_was_not_offered_is_a_protocol_error() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.confirm(0x04);
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "RDSTLS, which was not offered");
  }

  @Test
  void close_without_answer_and_reset_without_answer_are_no_response() throws Exception {
    assertVerdict(ProbeVerdict.NO_RESPONSE, run(c -> c.readRequest()), "closed the connection without answering");
    assertVerdict(ProbeVerdict.NO_RESPONSE, run(c -> {
      c.readRequest();
      c.reset();
    }), "dropped the connection");
  }

  @Test
  void drip_fed_confirm_is_bounded_by_the_stage_timeout() throws Exception {
    ProbeResult r = runTimed(c -> {
      c.readRequest();
      c.drip(CC_TLS, 300);
    }, Duration.ofMillis(1000), 2_500);
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "still incomplete");
  }

  @Test
  void garbage_after_the_confirm_is_a_protocol_error() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(CC_TLS);
      c.send("garbage where TLS should be, garbage garbage".getBytes(StandardCharsets.US_ASCII));
      c.hold();
    });
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "not TLS");
    assertEquals("tls-handshake", last(r).name());
  }

  @Test
  void reset_after_client_hello_is_a_tls_failure() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(CC_TLS);
      c.in.readNBytes(5);
      c.reset();
    });
    assertVerdict(ProbeVerdict.TLS_HANDSHAKE_FAILED, r, "reset");
  }

  @Test
  void tls_server_without_a_certificate_sends_handshake_failure() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(CC_TLS);
      c.tls(null);
    });
    assertVerdict(ProbeVerdict.TLS_HANDSHAKE_FAILED, r, "handshake_failure");
  }

  @Test
  void protocol_version_alert_says_no_tls_version_in_common() throws Exception {
    ProbeResult r = run(c -> {
      c.readRequest();
      c.send(CC_TLS);
      c.in.readNBytes(5);
      c.send(new byte[] {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46});
    });
    assertVerdict(ProbeVerdict.TLS_HANDSHAKE_FAILED, r, "no TLS version in common");
  }

  @Test
  void silence_during_tls_is_a_tls_failure_within_the_timeout() throws Exception {
    ProbeResult r = runTimed(c -> {
      c.readRequest();
      c.send(CC_TLS);
      c.hold();
    }, Duration.ofMillis(800), 2_500);
    assertVerdict(ProbeVerdict.TLS_HANDSHAKE_FAILED, r, "went silent during the TLS handshake");
  }

  @Test
  void credssp_error_code_is_credssp_failed() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      s.getOutputStream().write(RdpServerMessages.tsRequestWithError(0xC000006D));
      s.getOutputStream().flush();
      c.hold();
    }));
    assertVerdict(ProbeVerdict.CREDSSP_FAILED, r, "0xC000006D");
    assertNull(r.ntlm());
    assertEquals("TLSv1.3", r.tls().version(), "earlier stages still reported");
  }

  @Test
  void close_after_ntlm_negotiate_is_credssp_failed() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> RdpServerMessages.readTsRequest(s.getInputStream())));
    assertVerdict(ProbeVerdict.CREDSSP_FAILED, r, "closed the connection after the NTLM NEGOTIATE");
  }

  @Test
  void silence_after_ntlm_negotiate_is_credssp_failed_within_the_timeout() throws Exception {
    ProbeResult r = runTimed(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      c.hold();
    }), Duration.ofMillis(800), 3_000);
    assertVerdict(ProbeVerdict.CREDSSP_FAILED, r, "did not answer the NTLM NEGOTIATE");
  }

  @Test
  void truncated_tsrequest_is_a_protocol_error() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      byte[] full = RdpServerMessages.tsRequestWithToken(RdpServerMessages.ntlmChallenge("x", Instant.now()));
      s.getOutputStream().write(Arrays.copyOf(full, 20));
      s.getOutputStream().flush();
    }));
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "truncated");
  }

  @Test
  void malformed_tsrequest_is_a_protocol_error() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      // SEQUENCE { [1] claiming 0x50 bytes inside 4 }
      s.getOutputStream().write(new byte[] {0x30, 0x04, (byte) 0xA1, 0x50, 0x30, 0x00});
      s.getOutputStream().flush();
      c.hold();
    }));
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "malformed");
  }

  @Test
  void token_that_is_not_an_ntlm_challenge_is_a_protocol_error() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      s.getOutputStream().write(RdpServerMessages.tsRequestWithToken("not ntlm at all".getBytes()));
      s.getOutputStream().flush();
      c.hold();
    }));
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "not a valid NTLM CHALLENGE");
  }

  @Test
  void tls_answered_with_tpkt_instead_of_tsrequest_is_a_protocol_error() throws Exception {
    ProbeResult r = run(hybrid((c, s) -> {
      RdpServerMessages.readTsRequest(s.getInputStream());
      s.getOutputStream().write(CC_TLS);
      s.getOutputStream().flush();
      c.hold();
    }));
    assertVerdict(ProbeVerdict.PROTOCOL_ERROR, r, "not a DER TSRequest");
  }

  /** After TLS on a HYBRID confirm, runs {@code afterTls} on the TLS socket. */
  private static ScriptedRdpServer.Script hybrid(AfterTls afterTls) {
    return c -> {
      c.readRequest();
      c.confirm(0x02);
      SSLSocket s = c.tls(TestCertificates.valid());
      afterTls.run(c, s);
    };
  }

  @FunctionalInterface
  private interface AfterTls {
    void run(ScriptedRdpServer.Conn c, SSLSocket s) throws Exception;
  }
}
