package dev.azrdpfix.explain;

import java.util.List;

/**
 * What a Remote Desktop error code (and optional extended code) means, for people and for JSON.
 *
 * @param code the decoded "Error code" (disconnect reason)
 * @param extended the decoded "Extended error code", or null if none was given
 * @param reading one or two sentences reading the pair together
 * @param commands azrdpfix commands to run next, most useful first (VM/HOST are placeholders)
 */
public record Explanation(DecodedCode code, DecodedCode extended, String reading, List<String> commands) {
  public Explanation {
    commands = List.copyOf(commands);
  }
}
