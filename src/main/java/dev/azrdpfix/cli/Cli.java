package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Builds the picocli command line with the injected streams and environment, the one error handler and the exit
 * code list. Used by {@code Main} and by tests, so both run exactly the same wiring.
 */
public final class Cli {
  private Cli() {}

  public static CommandLine create(PrintWriter out, PrintWriter err, Environment env) {
    CommandLine cl = new CommandLine(new AzrdpfixCommand(), new CommandFactory(env));
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(Cli::handleExecutionException);
    cl.setParameterExceptionHandler(Cli::handleParameterException);
    Map<String, String> codes = new LinkedHashMap<>();
    for (ExitCode c : ExitCode.values()) {
      codes.put(String.format("%3d", c.code()), c.description());
    }
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    }
    return cl;
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err, Environment env) {
    int code = create(out, err, env).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof AzrdpfixException a) {
      err.println("azrdpfix: " + a.getMessage());
      if (isVerbose(parsed) && a.getCause() != null) {
        a.getCause().printStackTrace(err);
      }
      err.flush();
      return a.exitCode().code();
    }
    err.println("azrdpfix: internal error: " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
        + ". This is a bug: rerun with --verbose and report it with the output.");
    if (isVerbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.INTERNAL.code();
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult p = parsed;
    while (p != null) {
      if (p.hasMatchedOption("--verbose") || p.hasMatchedOption("-v")) {
        return true;
      }
      p = p.subcommand();
    }
    return false;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    String msg = e.getMessage() == null ? "invalid arguments" : e.getMessage().lines().findFirst().orElse("");
    cl.getErr().println("azrdpfix: " + msg + (msg.endsWith(".") ? "" : ".") + " See '" + name + " --help'.");
    cl.getErr().flush();
    return ExitCode.USAGE.code();
  }

  /** Lets commands receive the environment through their constructor. */
  private static final class CommandFactory implements CommandLine.IFactory {
    private final Environment env;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    CommandFactory(Environment env) {
      this.env = env;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Environment.class).newInstance(env);
      } catch (NoSuchMethodException e) {
        return fallback.create(cls);
      }
    }
  }

  /** Rejects a usage problem found after parsing (e.g. a bad value combination) the same way picocli would. */
  static AzrdpfixException usage(String message) {
    return AzrdpfixException.usage(message);
  }
}
