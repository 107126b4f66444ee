package dev.azrdpfix.probe;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Thumbprint;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.core.probe.CertificateInfo;
import dev.azrdpfix.core.probe.Negotiation;
import dev.azrdpfix.core.probe.NtlmInfo;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeStage;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.core.probe.RdpProber;
import dev.azrdpfix.core.probe.TlsInfo;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Probes an RDP listener the way a client starts a connection, in one TCP connection: X.224 negotiation asking for
 * TLS and CredSSP, a TLS handshake on the same socket, the server certificate, and (for NLA) one credential-free NTLM
 * round trip. Every stage is timed and bounded by {@link ProbeRequest#stageTimeout()}; nothing secret is ever sent.
 */
public final class TcpRdpProber implements RdpProber {
  /** SSL | HYBRID | HYBRID_EX: what mstsc offers, so the server picks what a real client would get. */
  static final int REQUESTED_PROTOCOLS = X224.PROTOCOL_SSL | X224.PROTOCOL_HYBRID | X224.PROTOCOL_HYBRID_EX;
  static final Duration DEFAULT_STAGE_TIMEOUT = Duration.ofSeconds(5);
  /** Kerberos refuses more than 5 minutes of skew; NLA with a domain account then fails. */
  static final Duration SKEW_WARNING = Duration.ofMinutes(5);
  private static final String[] TLS_VERSIONS = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"};

  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration firstBackoff;
  private final Duration maxBackoff;

  /** A prober on the system clock, retrying (with {@code waitFor}) after 1 s, doubling up to 10 s. */
  public TcpRdpProber() {
    this(Clock.systemUTC());
  }

  /** A prober whose certificate validity and clock-skew checks use {@code clock}. */
  public TcpRdpProber(Clock clock) {
    this(clock, Sleeper.REAL);
  }

  /**
   * A prober whose {@code waitFor} loop reads its deadline from {@code clock} and waits between attempts through
   * {@code sleeper} (tests pass virtual time; the clock must then advance when the sleeper sleeps).
   */
  public TcpRdpProber(Clock clock, Sleeper sleeper) {
    this(clock, sleeper, Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  TcpRdpProber(Clock clock, Sleeper sleeper, Duration firstBackoff, Duration maxBackoff) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    Target target = Target.of(request);
    Instant start = clock.instant();
    Instant deadline = start.plus(target.waitFor);
    Duration backoff = firstBackoff;
    int attempt = 0;
    while (true) {
      attempt++;
      ProbeResult result = new Attempt(target).run();
      Instant now = clock.instant();
      if (result.ok() || !now.isBefore(deadline)) {
        return result.withAttempts(attempt, Duration.between(start, now).toMillis());
      }
      Duration left = Duration.between(now, deadline);
      try {
        sleeper.sleep(backoff.compareTo(left) > 0 ? left : backoff);
      } catch (AzrdpfixException e) {
        if (e.exitCode() != ExitCode.INTERRUPTED) {
          throw e;
        }
        return result.withAttempts(attempt, Duration.between(start, clock.instant()).toMillis());
      }
      backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }
  }

  /** A validated request. */
  private record Target(String host, int port, long stageMillis, Duration waitFor, String expectedThumbprint) {
    static Target of(ProbeRequest r) {
      if (r == null || r.host() == null || r.host().isBlank()) {
        throw new AzrdpfixException(ExitCode.USAGE, "probe: no host given. Pass a host name or IP address.");
      }
      if (r.port() < 1 || r.port() > 65535) {
        throw new AzrdpfixException(ExitCode.USAGE,
            "probe: port " + r.port() + " is out of range. Use a TCP port between 1 and 65535 (RDP: 3389).");
      }
      Duration stage = r.stageTimeout() == null ? DEFAULT_STAGE_TIMEOUT : r.stageTimeout();
      if (stage.isNegative() || stage.isZero()) {
        throw new AzrdpfixException(ExitCode.USAGE, "probe: the stage timeout must be positive, e.g. 5s.");
      }
      Duration wait = r.waitFor() == null || r.waitFor().isNegative() ? Duration.ZERO : r.waitFor();
      return new Target(r.host().trim(), r.port(), Math.max(1, stage.toMillis()), wait,
          normaliseThumbprint(r.expectedThumbprint()));
    }
  }

  /**
   * Accepts a thumbprint as Windows shows or copies it (lower case, spaces, colons, and the invisible left-to-right
   * mark the certificate dialog puts in front).
   */
  static String normaliseThumbprint(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String t = Thumbprint.hexOf(raw);
    if (t == null) {
      throw new AzrdpfixException(ExitCode.USAGE, "probe: the expected thumbprint is not 40 hex digits (SHA-1)."
          + " Copy it from the certificate's Thumbprint field.");
    }
    return t;
  }

  /** One connection: the stages in order, collecting what each saw. */
  private final class Attempt {
    private final Target target;
    private final List<ProbeStage> stages = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private CountingSocket socket;
    private Negotiation negotiation;
    private TlsInfo tls;
    private CertificateInfo certificate;
    private NtlmInfo ntlm;
    private long stageStart;

    Attempt(Target target) {
      this.target = target;
    }

    ProbeResult run() {
      SSLSocket tlsSocket = null;
      try {
        connect();
        negotiate();
        tlsSocket = handshake();
        ProbeFailure certificateProblem = checkCertificate(tlsSocket.getSession());
        ProbeFailure credsspProblem = null;
        int selected = negotiation.selectedProtocol();
        if (selected == X224.PROTOCOL_HYBRID || selected == X224.PROTOCOL_HYBRID_EX) {
          credsspProblem = credssp(tlsSocket);
        }
        if (certificateProblem != null) {
          throw certificateProblem;
        }
        if (credsspProblem != null) {
          throw credsspProblem;
        }
        return result(ProbeVerdict.OK, okSummary());
      } catch (ProbeFailure f) {
        return result(f.verdict(), f.getMessage());
      } catch (RuntimeException e) {
        // A bug or an answer no decoder anticipated: still a one-line verdict, never a stack trace.
        fail(currentStageName(), "unexpected answer: " + e);
        return result(ProbeVerdict.PROTOCOL_ERROR, "the probe could not interpret the server's answer (" + e + ")");
      } finally {
        if (tlsSocket != null) {
          // CredSSP forbids TLS session resumption, and a later attempt must see the certificate served then.
          tlsSocket.getSession().invalidate();
        }
        closeQuietly();
      }
    }

    private String where() {
      return target.host + ":" + target.port;
    }

    private String seconds() {
      return target.stageMillis % 1000 == 0 ? (target.stageMillis / 1000) + " s" : target.stageMillis + " ms";
    }

    private void connect() throws ProbeFailure {
      begin();
      InetAddress address;
      try {
        address = InetAddress.getByName(target.host);
      } catch (UnknownHostException e) {
        throw fail("tcp-connect", ProbeVerdict.HOST_NOT_FOUND,
            "cannot resolve " + target.host + ": the name does not exist or DNS is unreachable");
      }
      socket = new CountingSocket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(address, target.port), (int) Math.min(Integer.MAX_VALUE,
            target.stageMillis));
      } catch (SocketTimeoutException e) {
        throw fail("tcp-connect", ProbeVerdict.TCP_TIMEOUT, "no answer to the TCP connect on " + where()
            + " within " + seconds() + ": packets are dropped (NSG, guest firewall) or the VM is not running");
      } catch (ConnectException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("refused")) {
          throw fail("tcp-connect", ProbeVerdict.TCP_REFUSED, where()
              + " refused the connection: nothing listens there (TermService stopped, RDP disabled, wrong port)");
        }
        throw fail("tcp-connect", ProbeVerdict.TCP_TIMEOUT, "cannot reach " + where() + ": " + e.getMessage());
      } catch (IOException e) {
        throw fail("tcp-connect", ProbeVerdict.TCP_TIMEOUT, "cannot reach " + where() + ": " + e.getMessage());
      }
      ok("tcp-connect", "connected to " + socket.getInetAddress().getHostAddress() + ":" + target.port);
    }

    private void negotiate() throws ProbeFailure {
      begin();
      socket.startStage(target.stageMillis);
      try {
        OutputStream out = socket.getOutputStream();
        out.write(X224.connectionRequest(REQUESTED_PROTOCOLS));
        out.flush();
        negotiation = X224.readConfirm(socket.getInputStream(), REQUESTED_PROTOCOLS);
      } catch (ProbeFailure f) {
        throw fail("negotiation", f.verdict(), f.getMessage());
      } catch (SocketTimeoutException e) {
        throw fail("negotiation", ProbeVerdict.NO_RESPONSE, where() + " accepted TCP but did not answer the RDP"
            + " Connection Request within " + seconds() + ": the listener is hung or this is not an RDP port");
      } catch (EOFException e) {
        throw fail("negotiation", ProbeVerdict.NO_RESPONSE, where() + " accepted TCP, then closed the connection"
            + " without answering the RDP Connection Request");
      } catch (IOException e) {
        throw fail("negotiation", ProbeVerdict.NO_RESPONSE, where() + " accepted TCP, then dropped the connection"
            + " without answering the RDP Connection Request (" + e.getMessage() + ")");
      }
      if (negotiation.failureName() != null) {
        String meaning = X224.failureMeaning(negotiation.failureCode());
        if (negotiation.failureCode() == 2) {
          throw fail("negotiation", ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, "the server refused TLS with "
              + negotiation.failureName() + ": " + meaning);
        }
        throw fail("negotiation", ProbeVerdict.NEGOTIATION_FAILED, "the server refused the negotiation with "
            + negotiation.failureName() + ": " + meaning);
      }
      int selected = negotiation.selectedProtocol();
      if (!negotiation.negotiationData()) {
        throw fail("negotiation", ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, "the server ignored the security"
            + " negotiation (no RDP_NEG_RSP): a legacy server that only does Standard RDP Security");
      }
      if (selected == X224.PROTOCOL_RDP) {
        throw fail("negotiation", ProbeVerdict.STANDARD_RDP_SECURITY_ONLY, "the server chose Standard RDP Security"
            + " although TLS and CredSSP were offered: TLS is not in use");
      }
      if ((selected & REQUESTED_PROTOCOLS) == 0 || Integer.bitCount(selected) != 1) {
        throw fail("negotiation", ProbeVerdict.PROTOCOL_ERROR, "the server selected "
            + negotiation.selectedProtocolName() + ", which was not offered");
      }
      ok("negotiation", "the server selected " + negotiation.selectedProtocolName() + " (" + describe(selected) + ")");
    }

    private SSLSocket handshake() throws ProbeFailure {
      // Building the TLS context is local work (tens of ms cold): keep it out of the network stage's time bound.
      javax.net.ssl.SSLSocketFactory factory = ProbeTls.factory();
      begin();
      socket.startStage(target.stageMillis);
      SSLSocket s;
      try {
        s = (SSLSocket) factory.createSocket(socket, target.host, target.port, true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(TLS_VERSIONS);
        s.startHandshake();
      } catch (IOException e) {
        TlsFailures.Classified c = TlsFailures.classify(e, seconds());
        throw fail("tls-handshake", c.verdict(), c.reason());
      }
      SSLSession session = s.getSession();
      boolean weak = !session.getProtocol().equals("TLSv1.3") && !session.getProtocol().equals("TLSv1.2");
      tls = new TlsInfo(session.getProtocol(), session.getCipherSuite(), weak);
      String detail = session.getProtocol() + " " + session.getCipherSuite();
      if (weak) {
        warnings.add("the server negotiated " + session.getProtocol() + " (below TLS 1.2): current clients may refuse"
            + " it; enable TLS 1.2 server-side in SCHANNEL");
        stage("tls-handshake", ProbeStage.Status.WARN, detail + " (weak: below TLS 1.2)");
      } else {
        ok("tls-handshake", detail);
      }
      return s;
    }

    private ProbeFailure checkCertificate(SSLSession session) throws ProbeFailure {
      begin();
      Certificate[] chain;
      try {
        chain = session.getPeerCertificates();
      } catch (IOException e) {
        throw fail("certificate", ProbeVerdict.PROTOCOL_ERROR, "the server sent no certificate");
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        throw fail("certificate", ProbeVerdict.PROTOCOL_ERROR, "the server sent no X.509 certificate");
      }
      Instant now = clock.instant();
      certificate = Certificates.describe((X509Certificate) chain[0], now, target.expectedThumbprint);
      String who = certificate.subject() + (certificate.selfSigned() ? " (self-signed)" : ", issued by "
          + certificate.issuer());
      if (certificate.expired()) {
        return softFail("certificate", ProbeVerdict.CERTIFICATE_EXPIRED, "the server certificate " + who
            + " expired on " + certificate.notAfter() + mismatchNote());
      }
      if (certificate.notYetValid()) {
        return softFail("certificate", ProbeVerdict.CERTIFICATE_NOT_YET_VALID, "the server certificate " + who
            + " is not valid before " + certificate.notBefore() + " (wrong clock or certificate dates)"
            + mismatchNote());
      }
      if (Boolean.FALSE.equals(certificate.matchesExpected())) {
        return softFail("certificate", ProbeVerdict.CERTIFICATE_MISMATCH, "the server serves " + who
            + " with thumbprint " + certificate.thumbprint() + ", not the expected " + target.expectedThumbprint);
      }
      long daysLeft = Duration.between(now, Instant.parse(certificate.notAfter())).toDays();
      if (daysLeft < 14) {
        warnings.add("the server certificate expires in " + daysLeft + " day(s), on " + certificate.notAfter());
      }
      ok("certificate", who + ", valid until " + certificate.notAfter() + ", thumbprint " + certificate.thumbprint()
          + (certificate.matchesExpected() == null ? "" : " (as expected)"));
      return null;
    }

    private String mismatchNote() {
      return Boolean.FALSE.equals(certificate.matchesExpected())
          ? "; it is also not the expected certificate " + target.expectedThumbprint : "";
    }

    private ProbeFailure credssp(SSLSocket s) {
      begin();
      socket.startStage(target.stageMillis);
      CredSsp.Reply reply;
      Instant receivedAt;
      try {
        OutputStream out = s.getOutputStream();
        out.write(CredSsp.negotiateRequest());
        out.flush();
        InputStream in = s.getInputStream();
        byte[] body = CredSsp.readTsRequest(in);
        receivedAt = clock.instant();
        reply = CredSsp.parse(body);
      } catch (ProbeFailure f) {
        return softFail("credssp", f.verdict(), f.getMessage());
      } catch (SocketTimeoutException e) {
        return softFail("credssp", ProbeVerdict.CREDSSP_FAILED, "TLS works, but CredSSP did not answer the NTLM"
            + " NEGOTIATE within " + seconds());
      } catch (EOFException e) {
        return softFail("credssp", ProbeVerdict.CREDSSP_FAILED, "TLS works, but the server closed the connection"
            + " after the NTLM NEGOTIATE (CredSSP/NLA broken or NTLM refused by policy)");
      } catch (IOException e) {
        return softFail("credssp", ProbeVerdict.CREDSSP_FAILED, "TLS works, but CredSSP failed: "
            + TlsFailures.oneLine(e));
      }
      if (reply.errorCode() != null) {
        return softFail("credssp", ProbeVerdict.CREDSSP_FAILED, String.format(
            "TLS works, but CredSSP answered the NTLM NEGOTIATE with error 0x%08X", reply.errorCode()));
      }
      if (reply.ntlmToken() == null) {
        return softFail("credssp", ProbeVerdict.CREDSSP_FAILED, "TLS works, but the CredSSP answer carries no NTLM"
            + " token");
      }
      NtlmChallenge challenge;
      try {
        challenge = NtlmChallenge.decode(reply.ntlmToken());
      } catch (IllegalArgumentException e) {
        return softFail("credssp", ProbeVerdict.PROTOCOL_ERROR, "the CredSSP answer is not a valid NTLM CHALLENGE: "
            + e.getMessage());
      }
      ntlm = challenge.toInfo(receivedAt);
      if (ntlm.clockSkewMillis() != null && Math.abs(ntlm.clockSkewMillis()) > SKEW_WARNING.toMillis()) {
        warnings.add("the server clock is " + Durations.human(ntlm.clockSkewMillis()) + " off ours: Kerberos and"
            + " NLA with a domain account fail beyond 5 minutes");
      }
      ok("credssp", "NTLM CHALLENGE from " + firstNonNull(ntlm.dnsComputerName(), ntlm.netbiosComputerName(),
          ntlm.targetName(), "an unnamed server")
          + (ntlm.netbiosDomainName() == null ? "" : " (domain " + ntlm.netbiosDomainName() + ")")
          + (ntlm.osVersion() == null ? "" : ", Windows " + ntlm.osVersion())
          + (ntlm.clockSkewMillis() == null ? "" : ", clock skew " + Durations.signed(ntlm.clockSkewMillis())));
      return null;
    }

    private String okSummary() {
      StringBuilder b = new StringBuilder("RDP answers on ").append(where()).append(": ")
          .append(negotiation.selectedProtocolName()).append(" over ").append(tls.version());
      b.append(", certificate ").append(certificate.subject()).append(" valid until ").append(certificate.notAfter());
      if (ntlm != null) {
        b.append(", NTLM from ").append(firstNonNull(ntlm.netbiosComputerName(), ntlm.dnsComputerName(),
            ntlm.targetName(), "?"));
      }
      if (!warnings.isEmpty()) {
        b.append(" (").append(warnings.size()).append(warnings.size() == 1 ? " warning)" : " warnings)");
      }
      return b.toString();
    }

    private void begin() {
      stageStart = System.nanoTime();
    }

    private long elapsed() {
      return (System.nanoTime() - stageStart) / 1_000_000L;
    }

    private void ok(String name, String detail) {
      stage(name, ProbeStage.Status.OK, detail);
    }

    private void stage(String name, ProbeStage.Status status, String detail) {
      stages.add(new ProbeStage(name, status, elapsed(), detail));
    }

    private void fail(String name, String detail) {
      stage(name, ProbeStage.Status.FAILED, detail);
    }

    private ProbeFailure fail(String name, ProbeVerdict verdict, String reason) {
      fail(name, reason);
      return new ProbeFailure(verdict, reason);
    }

    private ProbeFailure softFail(String name, ProbeVerdict verdict, String reason) {
      return fail(name, verdict, reason);
    }

    private String currentStageName() {
      String[] order = {"tcp-connect", "negotiation", "tls-handshake", "certificate", "credssp"};
      return stages.size() < order.length ? order[stages.size()] : "credssp";
    }

    private ProbeResult result(ProbeVerdict verdict, String summary) {
      int roundTrips = socket == null ? 0 : socket.roundTrips();
      return new ProbeResult(verdict, summary, target.host, target.port, 1, 0, roundTrips, stages, negotiation, tls,
          certificate, ntlm, warnings);
    }

    private void closeQuietly() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a socket the server already dropped: nothing to report.
        }
      }
    }
  }

  private static String describe(int protocol) {
    return switch (protocol) {
      case X224.PROTOCOL_SSL -> "TLS without NLA";
      case X224.PROTOCOL_HYBRID -> "CredSSP: NLA";
      case X224.PROTOCOL_HYBRID_EX -> "CredSSP with early user authorization: NLA";
      default -> "unexpected";
    };
  }

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }
}
