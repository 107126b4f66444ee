package dev.azrdpfix;

import dev.azrdpfix.cli.Cli;
import dev.azrdpfix.cli.Environment;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Composition root: the only place that calls System.exit. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, false, StandardCharsets.UTF_8);
    System.exit(Cli.run(args, out, err, Environment.system()));
  }
}
