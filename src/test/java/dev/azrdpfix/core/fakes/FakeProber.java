package dev.azrdpfix.core.fakes;

import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.core.probe.RdpProber;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link RdpProber} for workflow tests: answers the queued verdicts in order, then the last one for good (OK unless
 * set), and keeps every request.
 */
public final class FakeProber implements RdpProber {
  private ProbeResult answer = new ProbeResult(ProbeVerdict.OK, "RDP answers");
  private final java.util.Deque<ProbeResult> queued = new java.util.ArrayDeque<>();
  public final List<ProbeRequest> requests = Collections.synchronizedList(new ArrayList<>());

  public FakeProber answers(ProbeVerdict verdict, String summary) {
    this.answer = new ProbeResult(verdict, summary);
    return this;
  }

  /** Answers {@code verdict} once, before the standing answer. */
  public synchronized FakeProber answersOnce(ProbeVerdict verdict, String summary) {
    queued.add(new ProbeResult(verdict, summary));
    return this;
  }

  @Override
  public synchronized ProbeResult probe(ProbeRequest request) {
    requests.add(request);
    return queued.isEmpty() ? answer : queued.poll();
  }
}
