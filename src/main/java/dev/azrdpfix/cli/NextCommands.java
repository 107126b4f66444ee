package dev.azrdpfix.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one place that builds the next-step commands azrdpfix prints: each carries the options that decide where it
 * goes ({@code --simulate}, {@code --subscription}, {@code -g}, {@code --cloud}, {@code --arm-endpoint}, and
 * {@code --ca-file}, {@code --auth}, {@code --tenant} that reaching such an endpoint needs), taken from the parsed
 * command line, so a pasted command reaches the same Azure (or simulator) as the run that printed it.
 *
 * <p>Messages from the workflows name commands in quotes ({@code 'azrdpfix repair rg/vm --start'} or with
 * backticks); {@link #carry} adds the options to each of them before the text is printed.
 */
final class NextCommands {
  /** Options that decide where a command goes, in the order they are appended. */
  private static final List<String> CARRIED = List.of("--simulate", "--subscription", "--resource-group", "--cloud",
      "--arm-endpoint", "--ca-file", "--auth", "--tenant");
  private static final Pattern QUOTED =
      Pattern.compile("(['`])(azrdpfix (?:inspect|repair|rollback) [^'`\\n]*?)\\1");

  private final String suffix;
  /** Each carried option as the name it is written with and its text ("-g rg-prod"). */
  private final List<String[]> parts;

  private NextCommands(List<String[]> parts) {
    this.parts = List.copyOf(parts);
    StringBuilder b = new StringBuilder();
    parts.forEach(p -> b.append(' ').append(p[1]));
    this.suffix = b.toString();
  }

  static NextCommands none() {
    return new NextCommands(List.of());
  }

  /** From what the user typed on the innermost subcommand (null: nothing to carry). */
  static NextCommands from(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult p = parsed;
    while (p != null && p.subcommand() != null) {
      p = p.subcommand();
    }
    if (p == null) {
      return none();
    }
    List<String[]> parts = new ArrayList<>();
    for (String name : CARRIED) {
      CommandLine.Model.OptionSpec o = p.matchedOption(name);
      if (o == null) {
        continue;
      }
      String shortest = name.equals("--resource-group") ? "-g" : name;
      if (o.arity().max() == 0) {
        parts.add(new String[] {shortest, shortest});
      } else {
        for (String v : o.stringValues()) {
          parts.add(new String[] {shortest, shortest + " " + quote(v)});
        }
      }
    }
    return new NextCommands(parts);
  }

  static NextCommands of(CommandLine.Model.CommandSpec spec) {
    return from(spec.commandLine().getParseResult());
  }

  /** The options to append to a command, with a leading blank (or empty). */
  String suffix() {
    return suffix;
  }

  /** {@code azrdpfix SUB ARGS...} plus the carried options. */
  String command(String sub, String... args) {
    return "azrdpfix " + sub + (args.length == 0 ? "" : " " + String.join(" ", args)) + suffix;
  }

  /** Adds the carried options to every quoted azrdpfix command in {@code text}. */
  String carry(String text) {
    return carry(text, false);
  }

  /** As {@link #carry(String)}, for text that is a JSON document (the options are escaped as JSON string text). */
  String carryJson(String json) {
    return carry(json, true);
  }

  private String carry(String text, boolean json) {
    if (suffix.isEmpty() || text == null) {
      return text;
    }
    Matcher m = QUOTED.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String cmd = m.group(2);
      StringBuilder add = new StringBuilder();
      for (String[] p : parts) {
        boolean present = (cmd + " ").contains(" " + p[0] + " ")
            || (p[0].equals("-g") && (cmd + " ").contains(" --resource-group "));
        if (!present) {
          add.append(' ').append(json ? p[1].replace("\\", "\\\\").replace("\"", "\\\"") : p[1]);
        }
      }
      String carried = cmd + add;
      m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + carried + m.group(1)));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** Values with blanks or shell characters are double-quoted, so the command pastes as one. */
  private static String quote(String v) {
    return v.matches("[A-Za-z0-9_./:@=+,-]+") ? v : "\"" + v.replace("\"", "\\\"") + "\"";
  }
}
