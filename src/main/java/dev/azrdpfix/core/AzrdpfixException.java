package dev.azrdpfix.core;

/**
 * A failure the user can act on. The message is one line, {@code <what failed>: <why>. <what to do next>}, and is
 * printed without a stack trace; the exit code is carried with it so one handler maps every failure.
 */
public class AzrdpfixException extends RuntimeException {
  private final ExitCode exitCode;

  public AzrdpfixException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public AzrdpfixException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }

  public static AzrdpfixException usage(String message) {
    return new AzrdpfixException(ExitCode.USAGE, message);
  }

  public static AzrdpfixException precondition(String message) {
    return new AzrdpfixException(ExitCode.PRECONDITION, message);
  }

  public static AzrdpfixException azure(String message, Throwable cause) {
    return new AzrdpfixException(ExitCode.AZURE, message, cause);
  }
}
