package dev.azrdpfix.core;

/**
 * The one list of process exit codes. {@code --help} and the README are generated from / checked against this enum,
 * so CI scripts can rely on the numbers.
 */
public enum ExitCode {
  OK(0, "success: RDP reachable, or no finding that blocks RDP"), INTERNAL(1,
      "internal error (a bug): rerun with --verbose and report it"), USAGE(2,
          "usage error: bad option, value or VM name"), AZURE(3,
              "Azure access or API failure: authentication, permission, not found, throttling, Run Command failure;"
                  + " any failure after a change (the report lists it and the undo command)"), PRECONDITION(4,
                      "precondition not met: VM not Windows, not running, guest agent not Ready, Run Command busy"), RDP_BLOCKED(
                          5,
                          "RDP blocked: findings that block RDP, or the probe still fails (after repair)"), NOT_CONFIRMED(
                              6, "changes not confirmed: declined, or no terminal and no --yes"), REPAIR_FAILED(7,
                                  "a repair step failed inside the VM: the report lists what changed and how to roll back"), INTERRUPTED(
                                      130, "interrupted (Ctrl-C): the report lists what was done");

  private final int code;
  private final String description;

  ExitCode(int code, String description) {
    this.code = code;
    this.description = description;
  }

  public int code() {
    return code;
  }

  public String description() {
    return description;
  }
}
