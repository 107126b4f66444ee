package dev.azrdpfix.template;

import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.StepProperties;
import dev.azrdpfix.core.guest.StepStatus;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link GuestChannel} with the shipped templates over Run Command. Every parameter is validated against the
 * manifest before anything is sent; the result comes only from the script's marker line.
 */
public final class TemplateGuestChannel implements GuestChannel {
  private final AzureGateway azure;
  private final TemplateCatalog catalog;
  private final Duration timeout;
  private final Progress progress;

  public TemplateGuestChannel(AzureGateway azure, TemplateCatalog catalog, Duration timeout, Progress progress) {
    this.azure = azure;
    this.catalog = catalog;
    this.timeout = timeout;
    this.progress = progress;
  }

  @Override
  public StepProperties.Source steps() {
    return catalog::stepProperties;
  }

  @Override
  public GuestRun diagnose(VmRef vm) {
    return send(vm, catalog.prepare("diagnose", Map.of()));
  }

  @Override
  public GuestRun apply(VmRef vm, RunId runId, List<PlannedStep> steps) {
    return send(vm, bundle(runId, steps));
  }

  @Override
  public RunListing listRuns(VmRef vm) {
    PreparedScript script = catalog.prepare("list-runs", Map.of());
    progress.detail("script " + script.id() + " sha256=" + script.sha256());
    AzureGateway.RunOutput out = azure.runPowerShell(vm, script.lines(), script.parameters(), timeout);
    TemplateResult r = ResultParser.parse(script.id(), out.stdout(), out.stderr());
    GuestRun run = convert(r, script.sha256(), script.parameters(), out);
    return new RunListing(run, r.failed() ? null : RunListParser.parse(out.stdout()));
  }

  @Override
  public GuestRun rollback(VmRef vm, RunId runId, boolean force) {
    return send(vm, catalog.prepare("rollback", rollbackParameters(runId, force)));
  }

  @Override
  public GuestRun breakLock(VmRef vm, RunId runId, RunId lockRunId) {
    return send(vm, catalog.prepare("break-lock", Map.of("RunId", runId.value(), "LockRunId", lockRunId.value())));
  }

  private static Map<String, String> rollbackParameters(RunId runId, boolean force) {
    return force ? Map.of("RunId", runId.value(), "Force", "true") : Map.of("RunId", runId.value());
  }

  @Override
  public Preview previewApply(RunId runId, List<PlannedStep> steps) {
    return preview(bundle(runId, steps));
  }

  @Override
  public Preview previewRollback(RunId runId, boolean force) {
    return preview(catalog.prepare("rollback", rollbackParameters(runId, force)));
  }

  private PreparedScript bundle(RunId runId, List<PlannedStep> steps) {
    List<StepCall> calls = new ArrayList<>();
    for (PlannedStep s : steps) {
      Map<String, String> params = new HashMap<>(s.params());
      params.put("RunId", runId.value());
      calls.add(new StepCall(s.templateId(), params));
    }
    return catalog.bundle(calls);
  }

  private static Preview preview(PreparedScript p) {
    return new Preview(p.id(), p.text(), p.parameters(), p.sha256());
  }

  private GuestRun send(VmRef vm, PreparedScript script) {
    progress.detail("script " + script.id() + " sha256=" + script.sha256() + " parameters=" + script.parameters());
    AzureGateway.RunOutput out = azure.runPowerShell(vm, script.lines(), script.parameters(), timeout);
    TemplateResult r = ResultParser.parse(script.id(), out.stdout(), out.stderr());
    return convert(r, script.sha256(), script.parameters(), out);
  }

  private static GuestRun convert(TemplateResult r, String sha, Map<String, String> params,
      AzureGateway.RunOutput out) {
    List<GuestRun> steps = new ArrayList<>();
    for (TemplateResult s : r.steps()) {
      steps.add(convert(s, null, Map.of(), null));
    }
    return new GuestRun(r.id(), sha, params, out == null ? null : out.started(), out == null ? null : out.ended(),
        StepStatus.valueOf(r.status().name()), r.error(), r.facts(),
        r.findings().stream().map(f -> f.id() + (f.msg() == null ? "" : ": " + f.msg())).toList(),
        r.changes().stream().map(c -> new GuestRun.Change(c.what(), c.before(), c.after())).toList(),
        r.backups(), steps);
  }
}
