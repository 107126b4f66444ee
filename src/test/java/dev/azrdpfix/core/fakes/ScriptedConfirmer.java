package dev.azrdpfix.core.fakes;

import dev.azrdpfix.core.port.Confirmer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@link Confirmer} for workflow tests: always gives the same answer and keeps every question. */
public final class ScriptedConfirmer implements Confirmer {
  private final boolean answer;
  public final List<String> questions = Collections.synchronizedList(new ArrayList<>());

  public ScriptedConfirmer(boolean answer) {
    this.answer = answer;
  }

  @Override
  public boolean confirm(String question) {
    questions.add(question);
    return answer;
  }
}
