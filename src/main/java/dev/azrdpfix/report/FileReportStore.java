package dev.azrdpfix.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@link ReportStore} over a folder (the cache's {@code reports/}): one JSON report per run, named
 * {@code <subscription>_<group>/<name>__<run id>.json} (made file-name safe), so the runs of one VM sort by time.
 * A stored report is read back only as a typed {@link Header} (run id, mode, changes); anything unreadable is skipped.
 */
public final class FileReportStore implements ReportStore {
  /** How many reports the store keeps per VM; older ones are deleted when a new one is saved. */
  public static final int KEEP_PER_VM = 20;

  private final Path dir;

  public FileReportStore(Path dir) {
    this.dir = dir;
  }

  /** What the store needs from a stored report to answer "latest run that changed something". */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Header(String runId, String mode, List<JsonNode> changes, Boolean changesUnknown) {
    Optional<RunId> repairThatChanged() {
      boolean changed = changes != null && !changes.isEmpty() || Boolean.TRUE.equals(changesUnknown);
      return RunMode.fromId(mode) == RunMode.REPAIR && changed && RunId.isValid(runId)
          ? Optional.of(new RunId(runId)) : Optional.empty();
    }
  }

  @Override
  public Path save(RepairReport report) {
    String sub = report.actor() == null ? null : report.actor().subscription();
    Path file = dir.resolve(key(sub, report.target()) + "__" + report.runId().value() + ".json");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, Json.write(RepairOutput.json(report)));
      prune(key(sub, report.target()) + "__");
      return file;
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "cannot write the report to " + file + ": " + e.getMessage()
          + ". Check the path and permissions.");
    }
  }

  @Override
  public Optional<RunId> latestChange(VmRef vm) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    String prefix = key(vm.subscriptionId(), vm.display()) + "__";
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)
          && p.getFileName().toString().endsWith(".json"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .map(FileReportStore::header).filter(Objects::nonNull)
          .map(Header::repairThatChanged).flatMap(Optional::stream)
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Keeps the newest {@link #KEEP_PER_VM} reports whose names start with {@code prefix} (one VM's). */
  private void prune(String prefix) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> old = files.filter(p -> p.getFileName().toString().startsWith(prefix)
          && p.getFileName().toString().endsWith(".json"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .skip(KEEP_PER_VM).toList();
      for (Path p : old) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // keeping a few more reports than promised is harmless
    }
  }

  /** Deletes every report of runs in {@code subscription}; returns how many. */
  public int forget(String subscription) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    String prefix = key(subscription, "");
    int n = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
        Files.deleteIfExists(p);
        n++;
      }
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "cannot delete the reports in " + dir + ": " + e.getMessage()
          + ". Check the folder's permissions.");
    }
    return n;
  }

  private static Header header(Path file) {
    try {
      return Json.MAPPER.readValue(file.toFile(), Header.class);
    } catch (IOException e) {
      return null; // a damaged or foreign file is not a run
    }
  }

  private static String key(String subscription, String target) {
    String k = subscription + "_" + (target == null ? "unknown" : target);
    return k.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
  }
}
