package dev.azrdpfix.core.probe;

import java.util.List;

/**
 * The verdict of a probe, a one-line summary, and what each stage saw. Only plain types (strings, numbers, lists,
 * nested records) so that any Jackson {@code ObjectMapper} serialises it without modules; times are ISO-8601 strings.
 *
 * @param verdict the classification of the last attempt
 * @param summary one line for people: what failed (or that RDP answers) and why
 * @param host the probed host as given
 * @param port the probed TCP port
 * @param attempts how many connections were tried (more than one only with {@code waitFor})
 * @param elapsedMillis wall time of all attempts, backoff included
 * @param roundTrips write-then-read turns on the socket in the last attempt after TCP connect: an upper bound of the
 *     network round trips (TLS 1.3's compatibility ChangeCipherSpec adds one turn that does not wait on the network)
 * @param stages the stages of the last attempt, in order (a stage never reached is absent)
 * @param negotiation what the X.224 Connection Confirm said, or null if none was parsed
 * @param tls the negotiated TLS version and cipher, or null if TLS did not complete
 * @param certificate the server certificate, or null if none was received
 * @param ntlm what the NTLM CHALLENGE revealed, or null if CredSSP was not reached or failed
 * @param warnings findings that do not change the verdict (weak TLS version, clock skew)
 */
public record ProbeResult(
    ProbeVerdict verdict,
    String summary,
    String host,
    int port,
    int attempts,
    long elapsedMillis,
    int roundTrips,
    List<ProbeStage> stages,
    Negotiation negotiation,
    TlsInfo tls,
    CertificateInfo certificate,
    NtlmInfo ntlm,
    List<String> warnings) {

  public ProbeResult {
    stages = stages == null ? List.of() : List.copyOf(stages);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** A result with no stage detail, for callers that only know the verdict (e.g. a stubbed prober). */
  public ProbeResult(ProbeVerdict verdict, String summary) {
    this(verdict, summary, null, 0, 1, 0, 0, List.of(), null, null, null, null, List.of());
  }

  public boolean ok() {
    return verdict == ProbeVerdict.OK;
  }

  /** The same result with the attempt count and total elapsed time of a retried probe. */
  public ProbeResult withAttempts(int attempts, long elapsedMillis) {
    return new ProbeResult(verdict, summary, host, port, attempts, elapsedMillis, roundTrips, stages, negotiation, tls,
        certificate, ntlm, warnings);
  }
}
