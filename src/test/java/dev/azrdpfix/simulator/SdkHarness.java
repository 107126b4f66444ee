package dev.azrdpfix.simulator;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import dev.azrdpfix.testing.VirtualTime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.security.KeyStore;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The real Azure SDK (compute + network managers, JDK HttpClient) wired to a simulator over HTTPS, in the
 * simulator's virtual time: the SDK's own waits (LRO polls, retries) cannot be injected, so {@link TimeWarp} does them
 * in virtual time for it. The product's own waits are tested in azure.ArmWaitsTest and the CLI tests.
 */
final class SdkHarness {
  /** Virtual time a client spends between two polls of an operation that gave no Retry-After. */
  static final Duration POLL = Duration.ofMillis(250);

  final ComputeManager compute;
  final NetworkManager network;
  final java.net.http.HttpClient raw;
  final TimeWarp warp;

  SdkHarness(SimulatedAzure sim, VirtualTime time) {
    // The SDK polls after this real delay when no Retry-After is sent (static; the product never uses it).
    ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(1));
    warp = new TimeWarp(time);
    SSLContext ssl = sslTrusting(sim.trustStore());
    raw = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
    HttpClient http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(ssl)).build();
    String token = sim.accessToken();
    HttpPipelinePolicy bearer = (ctx, next) -> {
      ctx.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token);
      return next.process();
    };
    HttpPipeline pipeline = new HttpPipelineBuilder()
        .httpClient(http)
        .policies(new RetryPolicy(new FixedDelay(3, Duration.ofMillis(1)), "Retry-After", ChronoUnit.SECONDS), warp,
            bearer)
        .build();
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", sim.armEndpoint().toString());
    AzureProfile profile = new AzureProfile(sim.tenantId(), sim.subscriptionId(), new AzureEnvironment(endpoints));
    compute = ComputeManager.authenticate(pipeline, profile);
    network = NetworkManager.authenticate(pipeline, profile);
  }

  /**
   * Per try: the SDK's waits, done in virtual time. A Retry-After the simulator sends is recorded, replaced by 0 (so
   * the SDK does not sleep for real) and spent on the virtual clock when the SDK sends the request it was waiting for:
   * the next poll of an operation or the retry of the same request. A poll of an operation with no (or a zero)
   * Retry-After pending spends {@link #POLL}, as the SDK's poll interval would. Until then the clock stands still, as for a client that has not waited yet.
   */
  static final class TimeWarp implements HttpPipelinePolicy {
    private final VirtualTime time;
    final List<Duration> retryAfters = new CopyOnWriteArrayList<>();
    private Duration pending;
    private String pendingUrl;

    TimeWarp(VirtualTime time) {
      this.time = time;
    }

    @Override
    public Mono<com.azure.core.http.HttpResponse> process(HttpPipelineCallContext context,
        HttpPipelineNextPolicy next) {
      String url = context.getHttpRequest().getUrl().toString();
      synchronized (this) {
        if (url.contains("/operations/")) {
          time.advance(pending != null && !pending.isZero() ? pending : POLL);
          pending = null;
        } else if (pending != null && url.equals(pendingUrl)) {
          time.advance(pending);
          pending = null;
        }
      }
      return next.process().map(r -> warp(url, r));
    }

    private com.azure.core.http.HttpResponse warp(String url, com.azure.core.http.HttpResponse response) {
      String v = response.getHeaders().getValue(HttpHeaderName.RETRY_AFTER);
      if (v == null) {
        return response;
      }
      Duration asked = Duration.ofSeconds(Long.parseLong(v.trim()));
      retryAfters.add(asked);
      synchronized (this) {
        pending = asked;
        // An error (429, 503) is retried at the same URL; an accepted operation is polled at its operation URL.
        pendingUrl = response.getStatusCode() >= 400 ? url : null;
      }
      HttpHeaders headers = new HttpHeaders(response.getHeaders()).set(HttpHeaderName.RETRY_AFTER, "0");
      return new com.azure.core.http.HttpResponse(response.getRequest()) {
        @Override
        public int getStatusCode() {
          return response.getStatusCode();
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
          return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public HttpHeaders getHeaders() {
          return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
          return response.getBody();
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
          return response.getBodyAsByteArray();
        }

        @Override
        public Mono<String> getBodyAsString() {
          return response.getBodyAsString();
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
          return response.getBodyAsString(charset);
        }

        @Override
        public void close() {
          response.close();
        }
      };
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
      return HttpPipelinePosition.PER_RETRY;
    }
  }

  static SSLContext sslTrusting(KeyStore trust) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain GET with the given Authorization header (null: none). */
  HttpResponse<String> get(URI uri, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
