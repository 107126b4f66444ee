package dev.azrdpfix.core;

/**
 * A request that may change the VM was sent, but how it ended was not read: the connection dropped after sending,
 * the operation's status polls failed, it did not finish in time, or Azure reports it Failed (a Run Command that
 * fails may have run part of its script). The change may or may not have happened; only the VM can tell. Never
 * retried.
 */
public class OutcomeUnknownException extends AzrdpfixException {
  public OutcomeUnknownException(String message, Throwable cause) {
    super(ExitCode.AZURE, message, cause);
  }
}
