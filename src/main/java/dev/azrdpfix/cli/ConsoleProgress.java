package dev.azrdpfix.cli;

import dev.azrdpfix.core.port.Progress;
import java.io.PrintWriter;

/** Progress on stderr: steps always, details only with --verbose. JSON mode keeps steps too (stderr is not parsed). */
final class ConsoleProgress implements Progress {
  private final PrintWriter err;
  private final boolean verbose;

  ConsoleProgress(PrintWriter err, boolean verbose) {
    this.err = err;
    this.verbose = verbose;
  }

  @Override
  public void step(String message) {
    err.println(message);
    err.flush();
  }

  @Override
  public void detail(String message) {
    if (verbose) {
      err.println("  " + message);
      err.flush();
    }
  }
}
