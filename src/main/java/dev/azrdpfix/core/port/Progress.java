package dev.azrdpfix.core.port;

/**
 * Where workflows report what they are doing. The CLI writes it to stderr; tests collect it. Never given secrets.
 */
public interface Progress {
  /** A step a person watching should see ("Restarting web-01 through Azure..."). */
  void step(String message);

  /** Detail shown only with --verbose. */
  void detail(String message);

  Progress NONE =
      new Progress() {
        @Override
        public void step(String message) {}

        @Override
        public void detail(String message) {}
      };
}
