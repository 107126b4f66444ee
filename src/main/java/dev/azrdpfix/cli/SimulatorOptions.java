package dev.azrdpfix.cli;

import dev.azrdpfix.simulator.SimulatedAzure;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every option about the simulated Azure, in one place: {@code --simulate} for the commands that reach Azure (through
 * {@link AzureOptions}), and the simulation's tuning ({@code --sim-latency}, hidden {@code --sim-faults}), which
 * {@code simulator serve} shares.
 */
public final class SimulatorOptions {
  @Option(names = "--simulate",
      description = "Use the built-in simulated Azure (loopback only, no Azure account); state persists across runs.")
  boolean simulate;

  @Mixin
  Tuning tuning = new Tuning();

  /** How the simulated Azure behaves: how long operations take, which faults it injects. */
  public static final class Tuning {
    @Option(names = "--sim-latency", paramLabel = "PROFILE", defaultValue = "fast",
        description = "Simulated operation durations: fast, realistic, or realistic/N (N times faster).")
    String latency = "fast";

    @Option(names = "--sim-faults", paramLabel = "SPEC", hidden = true,
        description = "Simulated Azure fault injection (tests and benchmarks), e.g. 429:vm-get:1.")
    String faults;

    /** The simulator's options in this environment's time; {@code port} 0 means any free port. */
    SimulatedAzure.Options options(Path stateFile, int port, Environment env) {
      return new SimulatedAzure.Options(stateFile, latency, faults, port).withTime(env.clock(), env.sleeper());
    }
  }

  /** Where the simulated Azure keeps its state between runs, in this environment. */
  static Path stateFile(Environment env) {
    return env.cacheDir().resolve("simulator").resolve("state.json");
  }
}
