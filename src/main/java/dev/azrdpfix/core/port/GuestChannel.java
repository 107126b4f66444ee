package dev.azrdpfix.core.port;

import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.StepProperties;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import java.util.List;
import java.util.Map;

/**
 * The guest side, through Run Command with the shipped templates: values travel only as validated parameters.
 * Implemented in {@code template} over an {@link AzureGateway}.
 */
public interface GuestChannel {

  /** What each repair step implies (destructive, reboot, reapply, explicit flag), from the template manifest. */
  StepProperties.Source steps();

  /** Runs the read-only {@code diagnose} template (one Run Command). */
  GuestRun diagnose(VmRef vm);

  /** Sends all steps in one Run Command (one bundle script) under {@code runId}. */
  GuestRun apply(VmRef vm, RunId runId, List<PlannedStep> steps);

  /**
   * Runs the read-only {@code list-runs} template (one Run Command): the runs recorded on the VM, newest first.
   * {@link RunListing#runs()} is null when the script failed ({@link RunListing#run()} says why).
   */
  RunListing listRuns(VmRef vm);

  /**
   * Runs the {@code rollback} template for {@code runId}; {@code force} also replays a run marked rolled back and
   * overwrites values changed since the run.
   */
  GuestRun rollback(VmRef vm, RunId runId, boolean force);

  /** The exact script and parameters {@link #apply} would send, without sending anything (dry run). */
  Preview previewApply(RunId runId, List<PlannedStep> steps);

  /**
   * Runs the {@code break-lock} template: removes the VM's lock while {@code lockRunId} still holds it and it is older
   * than Run Command's 90-minute limit, journaled under {@code runId} first.
   */
  GuestRun breakLock(VmRef vm, RunId runId, RunId lockRunId);

  /** The exact script and parameters {@link #rollback} would send. */
  Preview previewRollback(RunId runId, boolean force);

  /** What {@code list-runs} reported: the script run, and the runs it listed (null when it failed). */
  record RunListing(GuestRun run, VmRuns runs) {}

  /** A script as it would be sent: its text, parameters and SHA-256. */
  record Preview(String templateId, String script, Map<String, String> parameters, String sha256) {}
}
