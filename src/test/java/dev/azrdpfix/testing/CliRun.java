package dev.azrdpfix.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.azrdpfix.cli.Cli;
import dev.azrdpfix.cli.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the CLI in-process with captured streams; failure messages show args, exit code, stdout and stderr. Runs in
 * {@link VirtualTime}, one per home folder (each test's own temp folder), so successive runs of one test see one
 * consistent time, also in the simulated Azure's state file, and nobody really waits.
 */
public final class CliRun {
  private static final Map<Path, VirtualTime> TIMES = new ConcurrentHashMap<>();

  private CliRun() {}

  /** The virtual time runs with this home folder share. */
  public static VirtualTime time(Path home) {
    return TIMES.computeIfAbsent(home.toAbsolutePath(), h -> new VirtualTime());
  }

  public record Result(String[] args, int exit, String out, String err) {
    @Override
    public String toString() {
      return "azrdpfix " + String.join(" ", args) + "\n-- exit " + exit + "\n-- stdout\n" + out + "\n-- stderr\n"
          + err;
    }

    public Result expectExit(int code) {
      assertEquals(code, exit, this::toString);
      return this;
    }

    /** The error contract: exactly one non-empty line on stderr, starting with "azrdpfix:". */
    public String oneLineError() {
      java.util.List<String> errors = err.lines().filter(l -> l.startsWith("azrdpfix: ")).toList();
      assertEquals(1, errors.size(), () -> "expected one 'azrdpfix:' error line\n" + this);
      org.junit.jupiter.api.Assertions.assertTrue(err.lines().noneMatch(l -> l.matches("\\s+at [\\w.$]+\\(.*")
          || l.startsWith("Caused by:") || l.startsWith("Exception in thread")),
          () -> "stack trace on stderr\n" + this);
      return errors.get(0);
    }
  }

  public static Result run(Map<String, String> env, Path home, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> vars = new HashMap<>(env);
    vars.putIfAbsent("AZRDPFIX_CACHE_DIR", home.resolve("cache").toString());
    int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err), Environment.of(vars, home)
        .withTime(time(home), time(home)));
    return new Result(Arrays.copyOf(args, args.length), code, out.toString(), err.toString());
  }
}
