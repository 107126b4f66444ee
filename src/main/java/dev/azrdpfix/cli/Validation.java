package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.report.Style;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small option checks shared by commands, each failing with a one-line usage error. */
final class Validation {
  private Validation() {}

  static void ipAddress(String option, String value) {
    boolean v4 = value.matches("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
    boolean v6 = value.contains(":") && value.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      throw AzrdpfixException.usage(option + " '" + value + "' is not an IP address: give one like 203.0.113.7.");
    }
  }

  static Style style(Environment env, OutputOptions o) {
    return new Style(env.interactive() && !o.noColor && env.get("NO_COLOR") == null, env.unicode());
  }

  /**
   * A duration option within its documented bounds: zero and absurd values fail here, before any Azure call, not
   * after the VM was changed.
   */
  static void duration(String option, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw AzrdpfixException.usage(option + " " + human(value) + " is out of range: give a duration from "
          + human(min) + " to " + human(max) + " (e.g. 500ms, 30s, 5m, 1h).");
    }
  }

  static String human(Duration d) {
    if (d.toMillis() < 1000 && !d.isZero()) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s >= 3600 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s >= 60 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /**
   * That {@code --report FILE} and its Markdown twin can be written: creates what is missing and removes it again, so
   * the check leaves nothing behind; an existing file is opened for writing without being changed.
   */
  static void writableReport(Path requested) {
    if (requested == null) {
      return;
    }
    String name = requested.getFileName() == null ? "" : requested.getFileName().toString();
    String md = name.endsWith(".json") ? name.substring(0, name.length() - 5) + ".md" : name + ".md";
    for (Path p : List.of(requested, requested.resolveSibling(md))) {
      String why = tryWrite(p.toAbsolutePath());
      if (why != null) {
        throw AzrdpfixException.usage("--report " + requested + " cannot be written (" + p + ": " + why
            + "): nothing was changed. Choose a writable path.");
      }
    }
  }

  /** That the reports folder in the cache can be written (every run keeps its report there). */
  static void writableFolder(Path dir) {
    String why = tryWrite(dir.toAbsolutePath().resolve(".azrdpfix-write-check"));
    if (why != null) {
      throw AzrdpfixException.usage("the reports folder " + dir + " cannot be written (" + why + "): nothing was"
          + " changed. Set AZRDPFIX_CACHE_DIR to a writable folder.");
    }
  }

  /** Null when {@code file} can be written; else why not. Whatever the check creates, it removes. */
  private static String tryWrite(Path file) {
    List<Path> created = new ArrayList<>();
    try {
      Path missing = file.getParent();
      List<Path> chain = new ArrayList<>();
      while (missing != null && !Files.exists(missing)) {
        chain.add(0, missing);
        missing = missing.getParent();
      }
      for (Path dir : chain) {
        Files.createDirectory(dir);
        created.add(0, dir);
      }
      if (Files.isDirectory(file)) {
        return "it is a folder";
      }
      if (Files.exists(file)) {
        try (var ch = Files.newByteChannel(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          return null;
        }
      }
      Files.createFile(file);
      created.add(0, file);
      return null;
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      String m = e.getMessage();
      return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    } finally {
      for (Path p : created) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: an empty folder or file the check made
        }
      }
    }
  }

  /**
   * That a change can be confirmed: without a terminal, {@code --yes} or {@code --dry-run}, nobody can answer, so the
   * command refuses at once (exit 6) and names the preview command.
   */
  static void confirmationPossible(Environment env, boolean yes, boolean dryRun, String previewCommand) {
    if (!yes && !dryRun && !env.interactive()) {
      throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "confirmation needed but there is no terminal: preview"
          + " with '" + previewCommand + "', then rerun with --yes. Nothing was changed.");
    }
  }
}
