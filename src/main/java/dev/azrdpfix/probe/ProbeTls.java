package dev.azrdpfix.probe;

import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/** The probe's trust-all TLS client context, built on first use (not at class load, to keep startup fast). */
final class ProbeTls {
  private ProbeTls() {}

  static SSLSocketFactory factory() {
    return Holder.FACTORY;
  }

  private static final class Holder {
    static final SSLSocketFactory FACTORY = build();

    private static SSLSocketFactory build() {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAllManager()}, null);
        return context.getSocketFactory();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this Java runtime has no usable TLS implementation: " + e.getMessage(), e);
      }
    }
  }
}
