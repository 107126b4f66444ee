package dev.azrdpfix.core.port;

import java.time.Duration;

/** Waits between polls; tests and the simulator use short intervals. Interruption ends the run (Ctrl-C). */
public interface Sleeper {
  void sleep(Duration d);

  Sleeper REAL = d -> {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.azrdpfix.core.AzrdpfixException(dev.azrdpfix.core.ExitCode.INTERRUPTED, "interrupted while"
          + " waiting. The report lists what was done.");
    }
  };
}
