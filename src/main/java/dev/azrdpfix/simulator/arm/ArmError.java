package dev.azrdpfix.simulator.arm;

/** An ARM error response: HTTP status plus the {@code error.code} and {@code error.message} of the body. */
public final class ArmError extends RuntimeException {
  private final int status;
  private final String code;

  public ArmError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  static ArmError notFound(String type, String rg, String name) {
    return new ArmError(404, "ResourceNotFound", "The Resource '" + type + "/" + name + "' under resource group '"
        + rg + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
  }
}
