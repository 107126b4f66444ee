package dev.azrdpfix.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Retries throttling (429), 408 and 5xx (except 501 and 505) and transport failures up to three times, waiting as
 * ARM asks ({@code x-ms-retry-after-ms}, {@code retry-after-ms}, or {@code Retry-After} in seconds or as an HTTP date)
 * or else with exponential backoff (800 ms doubling up to 8 s, 5 % jitter): the SDK's own policy and timings, but
 * every wait goes through a {@link Sleeper}, so tests run it in virtual time. Never retried: a failed credential (it
 * would fail the same way four times), a POST whose request may have reached Azure ({@link
 * AzureClients.PostNotRetried}), and our own errors.
 */
final class ArmRetryPolicy implements HttpPipelinePolicy {
  static final int MAX_RETRIES = 3;
  static final Duration BASE_DELAY = Duration.ofMillis(800);
  static final Duration MAX_DELAY = Duration.ofSeconds(8);
  private static final HttpHeaderName X_MS_RETRY_AFTER_MS = HttpHeaderName.fromString("x-ms-retry-after-ms");
  private static final HttpHeaderName RETRY_AFTER_MS = HttpHeaderName.fromString("retry-after-ms");

  private final Sleeper sleeper;
  private final Clock clock;

  ArmRetryPolicy(Sleeper sleeper, Clock clock) {
    this.sleeper = sleeper;
    this.clock = clock;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    // Before the SDK's own retry policy, which is configured with no retries: this one does them all.
    return HttpPipelinePosition.PER_CALL;
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return attempt(context, next, context.getHttpRequest(), 0);
  }

  private Mono<HttpResponse> attempt(HttpPipelineCallContext context, HttpPipelineNextPolicy next,
      HttpRequest original, int retries) {
    context.setHttpRequest(original.copy());
    return next.clone().process().flatMap(response -> {
      Duration delay = delayAfter(response, retries);
      if (delay == null) {
        return Mono.just(response);
      }
      response.close();
      return sleep(delay).then(Mono.defer(() -> attempt(context, next, original, retries + 1)));
    }).onErrorResume(e -> retriable(e, retries),
        e -> sleep(backoff(retries)).then(Mono.defer(() -> attempt(context, next, original, retries + 1))));
  }

  private Mono<Void> sleep(Duration d) {
    return Mono.<Void>fromRunnable(() -> sleeper.sleep(d)).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    HttpRequest original = context.getHttpRequest();
    for (int retries = 0;; retries++) {
      context.setHttpRequest(original.copy());
      HttpResponse response;
      try {
        response = next.clone().processSync();
      } catch (RuntimeException e) {
        if (!retriable(e, retries)) {
          throw e;
        }
        sleeper.sleep(backoff(retries));
        continue;
      }
      Duration delay = delayAfter(response, retries);
      if (delay == null) {
        return response;
      }
      response.close();
      sleeper.sleep(delay);
    }
  }

  /** How long to wait before retrying this response, or null when it is final. */
  Duration delayAfter(HttpResponse response, int retries) {
    int s = response.getStatusCode();
    boolean transientStatus = s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505);
    if (!transientStatus || retries >= MAX_RETRIES) {
      return null;
    }
    Duration asked = retryAfter(response.getHeaders(), clock);
    return asked != null ? asked : backoff(retries);
  }

  private static boolean retriable(Throwable e, int retries) {
    if (retries >= MAX_RETRIES) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClientAuthenticationException || t instanceof AzureClients.PostNotRetried
          || t instanceof AzrdpfixException) {
        return false;
      }
    }
    return true;
  }

  /** 800 ms, 1.6 s, 3.2 s ... capped at 8 s, each within 5 % jitter (the SDK's ExponentialBackoff). */
  static Duration backoff(int retries) {
    long base = BASE_DELAY.toNanos();
    long jittered = ThreadLocalRandom.current().nextLong((long) (base * 0.95), (long) (base * 1.05) + 1);
    long delay = retries >= 30 ? Long.MAX_VALUE : jittered << retries;
    return Duration.ofNanos(Math.min(delay, MAX_DELAY.toNanos()));
  }

  /** The wait ARM asks for, or null when it asks for none (or says it in a form we cannot read). */
  static Duration retryAfter(HttpHeaders headers, Clock clock) {
    for (HttpHeaderName name : new HttpHeaderName[] {X_MS_RETRY_AFTER_MS, RETRY_AFTER_MS}) {
      String v = headers.getValue(name);
      if (v != null) {
        try {
          return Duration.ofMillis(Math.max(0, Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
          // try the next header
        }
      }
    }
    String v = headers.getValue(HttpHeaderName.RETRY_AFTER);
    if (v == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(clock.instant(),
            ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }
}
