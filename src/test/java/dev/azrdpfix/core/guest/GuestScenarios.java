package dev.azrdpfix.core.guest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Guest facts for tests outside this package (workflow tests), built with the analyzer tests' {@link Facts}. */
public final class GuestScenarios {
  /** When the simulated diagnose call ran; the facts are consistent with it. */
  public static final Instant CALL_START = Facts.CALL_START;
  public static final Instant CALL_END = Facts.CALL_END;
  /** The thumbprint of the healthy guest's one valid RDP certificate. */
  public static final String HEALTHY_THUMBPRINT = Facts.TP;

  private GuestScenarios() {}

  /** Nothing to repair. */
  public static GuestFacts healthy() {
    return Facts.healthy().build();
  }

  /** The headline case: plan reset-machinekeys-acl, remove-rdp-certificates, restart-rdp-services. */
  public static GuestFacts headline() {
    return Facts.headline().build();
  }

  /** A corrupt key store: needs rename-machinekeys (and so a reapply), which needs an explicit flag. */
  public static GuestFacts corruptMachineKeys() {
    Facts f = Facts.healthy();
    f.corrupt = true;
    f.rdpKeyReadable = false;
    f.certs = List.of(Facts.cert(Facts.TP, Facts.CALL_START.plus(Duration.ofDays(30)), false));
    f.events.put("1057", 4);
    return f.build();
  }

  /** RDP disabled locally: a finding that blocks RDP. */
  public static GuestFacts rdpDisabled() {
    Facts f = Facts.healthy();
    f.fDeny = 1;
    return f.build();
  }

  /** TLS 1.2 disabled for servers: enable-tls-server, which takes effect only after a VM restart. */
  public static GuestFacts tlsDisabled() {
    Facts f = Facts.healthy();
    f.tls12 = 0;
    return f.build();
  }

  /** The headline case with {@code n} signed-in RDP sessions, which a TermService restart ends. */
  public static GuestFacts headlineWithSessions(int n) {
    Facts f = Facts.headline();
    f.sessions = n;
    return f.build();
  }
}
