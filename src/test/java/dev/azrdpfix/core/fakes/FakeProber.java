package dev.azrdpfix.core.fakes;

import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.core.probe.RdpProber;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@link RdpProber} for workflow tests: answers one verdict and keeps every request. */
public final class FakeProber implements RdpProber {
  private ProbeResult answer = new ProbeResult(ProbeVerdict.OK, "RDP answers");
  public final List<ProbeRequest> requests = Collections.synchronizedList(new ArrayList<>());

  public FakeProber answers(ProbeVerdict verdict, String summary) {
    this.answer = new ProbeResult(verdict, summary);
    return this;
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    requests.add(request);
    return answer;
  }
}
