package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.simulator.SimulatedAzure;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code simulator serve|reset}: the simulated Azure behind --simulate, standalone or reset to its faults. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
    description = "Run the simulated Azure behind --simulate for other clients, or reset it to its faults.",
    footer = {"%nExamples:", "  azrdpfix simulator serve --port 8443", "  azrdpfix simulator reset"},
    subcommands = {SimulatorCommand.Serve.class, SimulatorCommand.Reset.class})
public final class SimulatorCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Starts every simulated VM over again in its initial (faulty) state. */
  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Forget all simulated changes and the reports of simulated runs: every VM starts again in its"
          + " initial state.",
      footer = {"%nExample:", "  azrdpfix simulator reset && azrdpfix inspect web-01 --simulate"})
  static final class Reset implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    private final Environment env;

    Reset(Environment env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      Path state = SimulatorOptions.stateFile(env);
      SimulatedAzure.reset(state);
      int reports = Wiring.reports(env).forget(SimulatedAzure.SUBSCRIPTION);
      spec.commandLine().getOut().println("Simulated Azure reset: " + state + " removed and " + reports
          + " report(s) of its runs forgotten; VMs start in their initial state.");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** Runs the simulator on loopback until Ctrl-C, printing how to connect. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve the simulated ARM API on 127.0.0.1 until Ctrl-C (prints endpoint, subscription, token and"
          + " the CA certificate to trust, and the full client command).",
      footer = {"%nExample:", "  azrdpfix simulator serve --port 8443"})
  static final class Serve implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    private final Environment env;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
        description = "The TCP port on 127.0.0.1 (default: any free port).")
    int port;

    @Mixin
    SimulatorOptions.Tuning tuning;

    Serve(Environment env) {
      this.env = env;
    }

    @Override
    public Integer call() throws Exception {
      if (port < 0 || port > 65535) {
        throw AzrdpfixException.usage("--port " + port + " is not a TCP port: use 1-65535, or 0 for any free port.");
      }
      Path state = SimulatorOptions.stateFile(env);
      Path cert = state.resolveSibling("simulator-ca.pem");
      SimulatedAzure sim = SimulatedAzure.start(tuning.options(state, port, env));
      Runtime.getRuntime().addShutdownHook(new Thread(sim::close)); // Ctrl-C stops it cleanly, state saved
      PrintStream out = new PrintStream(new WriterStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
      sim.printConnectionInfo(out, cert);
      sim.printRdpListeners(out);
      out.println();
      out.println("Client command (POSIX shell; " + LoopbackRdp.VARIABLE + " keeps the probe on loopback):");
      out.println("  " + clientCommand(sim, cert, "repair web-01"));
      out.flush();
      sim.awaitClose();
      return 0;
    }
  }

  /** The full command a client runs against a served simulator; its probes reach the loopback listeners. */
  static String clientCommand(SimulatedAzure sim, Path cert, String command) {
    return "AZRDPFIX_ACCESS_TOKEN=" + sim.accessToken() + " " + LoopbackRdp.VARIABLE + "=" + sim.rdpMap()
        + " azrdpfix " + command + " --arm-endpoint " + sim.armEndpoint() + " --ca-file '" + cert.toAbsolutePath()
        + "' --auth token --subscription " + sim.subscriptionId();
  }

  /** Adapts the command's PrintWriter to the PrintStream the simulator prints to. */
  private static final class WriterStream extends java.io.OutputStream {
    private final java.io.PrintWriter w;

    WriterStream(java.io.PrintWriter w) {
      this.w = w;
    }

    @Override
    public void write(int b) {
      w.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      w.write(new String(b, off, len, StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
      w.flush();
    }
  }
}
