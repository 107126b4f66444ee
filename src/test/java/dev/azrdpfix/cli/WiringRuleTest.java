package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Commands stay thin: the workflows, the guest channel, the VM waiter, the run journal and the report store are put
 * together in {@link Wiring} only. ({@code probe} builds its prober itself: it has no workflow.)
 */
class WiringRuleTest {
  private static final Path CLI = Path.of("src/main/java/dev/azrdpfix/cli");

  @Test
  void workflows_and_their_ports_are_built_only_in_wiring() throws IOException {
    Pattern built = Pattern.compile("new (InspectWorkflow|RepairWorkflow|RollbackWorkflow|TemplateGuestChannel"
        + "|FileReportStore|VmWaiter|RunJournal)\\(|RunJournal\\.start\\(");
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(CLI)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.getFileName().toString().equals("Wiring.java")) {
          continue;
        }
        for (String line : Files.readAllLines(f)) {
          if (built.matcher(line).find()) {
            out.add(f.getFileName() + ": " + line.trim());
          }
        }
      }
    }
    assertEquals(List.of(), out);
  }
}
