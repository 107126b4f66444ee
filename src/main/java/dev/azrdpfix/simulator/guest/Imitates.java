package dev.azrdpfix.simulator.guest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the Java code that imitates one template file, with the sha256 of that file's normalised text (CONTRACT.md)
 * as it was when the imitation was last checked against it. {@code SimulatedTwinTest} fails as soon as the template
 * changes: whoever changes a template must bring its twin here up to date and then record the new hash.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@interface Imitates {
  /** The template file, relative to templates/ (as in manifest.json). */
  String template();

  /** sha256 of the template file's normalised text that this code was last checked against. */
  String sha256();
}
