package dev.azrdpfix.explain;

/** Renders an {@link Explanation} for people. */
public final class ExplainText {
  private ExplainText() {}

  public static String render(Explanation x) {
    StringBuilder b = new StringBuilder();
    code(b, x.code());
    if (x.extended() != null) {
      code(b, x.extended());
    }
    b.append('\n').append(x.reading()).append('\n');
    if (!x.commands().isEmpty()) {
      b.append("\nNext:\n");
      for (String c : x.commands()) {
        b.append("  ").append(c).append('\n');
      }
    }
    return b.toString();
  }

  private static void code(StringBuilder b, DecodedCode d) {
    String title = Character.toUpperCase(d.table().charAt(0)) + d.table().substring(1);
    b.append(title).append(' ').append(d.hex()).append(" (").append(d.value()).append(")");
    if (d.documented()) {
      b.append(": ").append(d.name()).append('\n');
      b.append("  Microsoft: ").append(d.description()).append('\n');
      b.append("  Likely on an Azure VM: ").append(d.likelyCause()).append('\n');
    } else {
      b.append(": not in Microsoft's documented list\n");
    }
    for (String n : d.notes()) {
      b.append("  Note: ").append(n).append('\n');
    }
  }
}
