package dev.azrdpfix.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report folder answers "latest run of this VM that changed something" from what it stored. */
class FileReportStoreTest {
  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final VmRef VM = new VmRef(SUB, "rg1", "vm1");
  @TempDir
  Path dir;

  static RepairReport report(String runId, RunMode mode, String target, boolean changed) {
    List<GuestRun.Change> changes = changed ? List.of(new GuestRun.Change("MachineKeys ACL", "a", "b")) : List.of();
    return new RepairReport(new RunId(runId), mode, Instant.EPOCH, Instant.EPOCH,
        new RepairReport.Actor("u", "h", "cli", SUB, "azrdpfix test"), target, null, List.of(), List.of(),
        List.of(), List.of(), List.of(), List.of(), changes, List.of(), null, "done", ExitCode.OK);
  }

  @Test
  void the_latest_repair_that_changed_something_wins() throws Exception {
    FileReportStore store = new FileReportStore(dir.resolve("reports"));
    assertEquals(Optional.empty(), store.latestChange(VM), "no folder yet");
    store.save(report("20261120T100000Z-aaaaaa", RunMode.REPAIR, "rg1/vm1", true));
    store.save(report("20261121T100000Z-bbbbbb", RunMode.REPAIR, "rg1/vm1", true));
    store.save(report("20261122T100000Z-cccccc", RunMode.REPAIR, "rg1/vm1", false)); // nothing changed
    store.save(report("20261122T110000Z-dddddd", RunMode.DRY_RUN, "rg1/vm1", false));
    store.save(report("20261122T120000Z-eeeeee", RunMode.ROLLBACK, "rg1/vm1", true));
    store.save(report("20261123T100000Z-ffffff", RunMode.REPAIR, "rg1/vm2", true)); // another VM
    Path damaged = store.save(report("20261122T130000Z-gggggg", RunMode.REPAIR, "rg1/vm1", true));
    Files.writeString(damaged, "{not json");
    assertEquals(Optional.of(new RunId("20261121T100000Z-bbbbbb")), store.latestChange(VM));
    assertEquals(Optional.of(new RunId("20261123T100000Z-ffffff")), store.latestChange(new VmRef(SUB, "RG1", "vm2")));
    assertEquals(Optional.empty(), store.latestChange(new VmRef(SUB, "rg2", "vm1")));
  }
}
