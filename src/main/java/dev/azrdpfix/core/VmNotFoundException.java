package dev.azrdpfix.core;

/** The VM itself does not exist (as opposed to a NIC or NSG it points at). */
public final class VmNotFoundException extends AzrdpfixException {
  public VmNotFoundException(String message, Throwable cause) {
    super(ExitCode.AZURE, message, cause);
  }
}
