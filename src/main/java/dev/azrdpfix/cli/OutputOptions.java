package dev.azrdpfix.cli;

import picocli.CommandLine.Option;

/** Output options shared by every command. Results go to stdout; progress and errors to stderr. */
public final class OutputOptions {
  /** The result formats. */
  public enum Format {
    text, json
  }

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
      description = "Result format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format output = Format.text;

  @Option(names = {"-v", "--verbose"},
      description = "Show each Azure request and more detail on stderr (never secrets).")
  boolean verbose;

  @Option(names = "--no-color", description = "Plain text without ANSI colours (also when NO_COLOR is set).")
  boolean noColor;

  public boolean json() {
    return output == Format.json;
  }
}
