package dev.azrdpfix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dependency rules that keep picocli at the edge, Azure types in one package and core framework-free. */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/azrdpfix");

  private static List<String> violations(String packageDir, Pattern forbidden, boolean inside) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String rel = MAIN.relativize(f).toString().replace('\\', '/');
        boolean in = rel.startsWith(packageDir + "/");
        if (in != inside) {
          continue;
        }
        for (String line : Files.readAllLines(f)) {
          if (forbidden.matcher(line).find()) {
            out.add(rel + ": " + line.trim());
          }
        }
      }
    }
    return out;
  }

  @Test
  void picocli_is_used_only_in_cli() throws IOException {
    assertEquals(List.of(), violations("cli", Pattern.compile("\\bpicocli\\."), false));
  }

  @Test
  void azure_sdk_types_are_used_only_in_azure() throws IOException {
    assertEquals(List.of(), violations("azure", Pattern.compile("\\bcom\\.azure\\."), false));
  }

  @Test
  void core_depends_on_no_framework_and_no_adapter() throws IOException {
    Pattern p = Pattern.compile("(com\\.azure|picocli|com\\.fasterxml|reactor\\.|dev\\.azrdpfix\\."
        + "(cli|azure|template|probe|report|simulator|explain))\\.");
    assertEquals(List.of(), violations("core", p, true));
  }

  /**
   * The simulated Azure has one door: the product (cli, azure and everything else outside the simulator) reaches it
   * only through {@code simulator.SimulatedAzure}, never its ARM server, guests or RDP listeners.
   */
  @Test
  void the_product_uses_the_simulator_only_through_simulated_azure() throws IOException {
    Pattern p = Pattern.compile("\\bdev\\.azrdpfix\\.simulator\\.(?!SimulatedAzure\\b)");
    assertEquals(List.of(), violations("simulator", p, false));
  }

  @Test
  void contract_is_data_only_and_depends_on_nothing_of_ours() throws IOException {
    Pattern p = Pattern.compile("(com\\.azure|picocli|com\\.fasterxml|reactor\\.|dev\\.azrdpfix\\."
        + "(cli|azure|core|template|probe|report|simulator|explain))\\.");
    assertEquals(List.of(), violations("contract", p, true));
  }

  @Test
  void probe_and_explain_never_load_the_azure_sdk_or_the_simulator() throws IOException {
    Pattern p = Pattern.compile("(com\\.azure|dev\\.azrdpfix\\.(azure|simulator|template))\\.");
    List<String> v = new ArrayList<>(violations("probe", p, true));
    v.addAll(violations("explain", p, true));
    assertEquals(List.of(), v);
  }
}
