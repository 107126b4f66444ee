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

  /** The subcommands, in help order. */
  private static final Map<String, Class<?>> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("inspect", InspectCommand.class);
    SUBCOMMANDS.put("repair", RepairCommand.class);
    SUBCOMMANDS.put("rollback", RollbackCommand.class);
    SUBCOMMANDS.put("probe", ProbeCommand.class);
    SUBCOMMANDS.put("check-access", CheckAccessCommand.class);
    SUBCOMMANDS.put("explain", ExplainCommand.class);
    SUBCOMMANDS.put("templates", TemplatesCommand.class);
    SUBCOMMANDS.put("simulator", SimulatorCommand.class);
    SUBCOMMANDS.put("completion", CompletionCommand.class);
  }

  /** The schema of the JSON document printed on stdout for an error with --output json. */
  public static final String ERROR_SCHEMA = "azrdpfix/error/v1";

  public static CommandLine create(PrintWriter out, PrintWriter err, Environment env) {
    return create(out, err, env, new String[0]);
  }

  /**
   * Builds the command line. When the first argument names a subcommand, only that one is modelled: picocli builds
   * every registered command's model eagerly, and skipping the others keeps {@code explain} and {@code probe} quick
   * to start. Help and unknown commands get the full list.
   */
  public static CommandLine create(PrintWriter out, PrintWriter err, Environment env, String[] args) {
    CommandLine.IFactory factory = new CommandFactory(env);
    CommandLine cl = new CommandLine(new AzrdpfixCommand(), factory);
    String first = args.length > 0 ? args[0] : null;
    if (first != null && SUBCOMMANDS.containsKey(first) && !"completion".equals(first)) {
      cl.addSubcommand(first, new CommandLine(SUBCOMMANDS.get(first), factory));
    } else if (!"-V".equals(first) && !"--version".equals(first)) {
      addAll(cl, factory); // --version needs no subcommand model at all
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(Cli::handleExecutionException);
    cl.setParameterExceptionHandler(Cli::handleParameterException);
    Map<String, String> codes = new LinkedHashMap<>();
    for (ExitCode c : ExitCode.values()) {
      // Plain padding: String.format would load the locale machinery and cost ~40 ms of every start.
      String n = Integer.toString(c.code());
      codes.put("   ".substring(Math.min(3, n.length())) + n, c.description());
    }
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    }
    return cl;
  }

  private static void addAll(CommandLine cl, CommandLine.IFactory factory) {
    SUBCOMMANDS.forEach((name, type) -> cl.addSubcommand(name, new CommandLine(type, factory)));
    cl.addSubcommand("help", new CommandLine(CommandLine.HelpCommand.class, factory));
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err, Environment env) {
    GithubActions actions = GithubActions.start(env); // a no-op unless GITHUB_ACTIONS=true
    PrintWriter o = actions.guard(out);
    PrintWriter e = actions.guard(err);
    actions.beginGroup(e, args);
    int code = create(o, e, env, args).execute(args);
    actions.finish(code, o, e);
    out.flush();
    err.flush();
    return code;
  }

  private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    ConsoleProgress.closeAll();
    PrintWriter err = cl.getErr();
    NextCommands next = NextCommands.from(parsed);
    boolean json = wantsJson(parsed.originalArgs().toArray(String[]::new));
    if (e instanceof AzrdpfixException a) {
      String message = next.carry(a.getMessage());
      err.println("azrdpfix: " + message);
      if (isVerbose(parsed) && a.getCause() != null) {
        a.getCause().printStackTrace(err);
      }
      err.flush();
      return error(cl, json, a.exitCode(), message);
    }
    String message = "internal error: " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
        + ". This is a bug: rerun with --verbose and report it with the output.";
    err.println("azrdpfix: " + message);
    if (isVerbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return error(cl, json, ExitCode.INTERNAL, message);
  }

  /**
   * With --output json, every exit also prints a JSON document on stdout, so automation always has one to read:
   * {@code {"schema":"azrdpfix/error/v1","exit":{"code":N,"name":"..."},"error":"the stderr line"}}.
   */
  private static int error(CommandLine cl, boolean json, ExitCode code, String message) {
    if (json) {
      cl.getOut().println(dev.azrdpfix.report.Json.write(dev.azrdpfix.report.Json.object("schema", ERROR_SCHEMA,
          "exit", dev.azrdpfix.report.Json.exit(code), "error", message)));
      cl.getOut().flush();
    }
    return code.code();
  }

  /** Whether the command line asks for JSON output ({@code --output json} or {@code --output=json}). */
  static boolean wantsJson(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equalsIgnoreCase("--output=json") || (a.equals("--output") && i + 1 < args.length
          && args[i + 1].equalsIgnoreCase("json"))) {
        return true;
      }
    }
    return false;
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
    String suggestion = "";
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      suggestion = " Did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3)
          .map(x -> "'" + x + "'").toList()) + "?";
    }
    String line = msg + (msg.endsWith(".") ? "" : ".") + suggestion + " See '" + name + " --help'.";
    cl.getErr().println("azrdpfix: " + line);
    cl.getErr().flush();
    return error(cl, wantsJson(args), ExitCode.USAGE, line);
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
}
