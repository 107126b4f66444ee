package dev.azrdpfix.cli;

import dev.azrdpfix.core.port.Sleeper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * What the CLI reads from its surroundings, injected so tests control it: environment variables, the user's home,
 * whether a person is at a terminal to confirm changes, and time: every wait of a run (LRO polls, retry backoff, VM
 * waits, the probe's retries, the simulated Azure's operations) goes through {@code sleeper} and reads deadlines from
 * {@code clock}, so tests run in virtual time while production keeps its timings.
 */
public record Environment(Function<String, String> env, Path home, boolean interactive, java.io.BufferedReader in,
    Clock clock, Sleeper sleeper) {

  /** In real time. */
  public Environment(Function<String, String> env, Path home, boolean interactive, java.io.BufferedReader in) {
    this(env, home, interactive, in, Clock.systemUTC(), Sleeper.REAL);
  }

  /** The same surroundings in another time source (tests: virtual time). */
  public Environment withTime(Clock clock, Sleeper sleeper) {
    return new Environment(env, home, interactive, in, clock, sleeper);
  }

  public static Environment system() {
    // $HOME first, as the launcher and the Azure CLI use it; the JVM's user.home ignores it on Linux.
    String home = System.getenv("HOME");
    return new Environment(System::getenv, Path.of(home != null && !home.isBlank() ? home
        : System.getProperty("user.home")), System.console() != null,
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** For tests: a fixed environment map, no terminal. */
  public static Environment of(Map<String, String> vars, Path home) {
    return new Environment(vars::get, home, false, new java.io.BufferedReader(new java.io.StringReader("")));
  }

  public String get(String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? null : v;
  }

  /**
   * Whether the console shows UTF-8: the locale of LC_ALL, else LC_CTYPE, else LANG names UTF-8. Without any of them
   * (a Windows console, a bare service account) the output stays ASCII, which every console shows.
   */
  public boolean unicode() {
    for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
      String v = get(name);
      if (v != null) {
        String l = v.toLowerCase(java.util.Locale.ROOT);
        return l.contains("utf-8") || l.contains("utf8");
      }
    }
    return false;
  }

  /** The per-user cache folder: AZRDPFIX_CACHE_DIR, else XDG_CACHE_HOME/azrdpfix, LOCALAPPDATA\azrdpfix, ~/.cache/azrdpfix. */
  public Path cacheDir() {
    if (get("AZRDPFIX_CACHE_DIR") != null) {
      return Path.of(get("AZRDPFIX_CACHE_DIR"));
    }
    if (get("XDG_CACHE_HOME") != null) {
      return Path.of(get("XDG_CACHE_HOME"), "azrdpfix");
    }
    if (get("LOCALAPPDATA") != null) {
      return Path.of(get("LOCALAPPDATA"), "azrdpfix");
    }
    return home.resolve(".cache").resolve("azrdpfix");
  }
}
