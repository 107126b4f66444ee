package dev.azrdpfix.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import java.net.http.HttpClient.Version;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.publisher.Mono;

/** Builds the SDK managers for one run: transport, TLS trust, retries, credential, endpoint. */
final class AzureClients {
  final ComputeManager compute;
  final NetworkManager network;
  final AzureProfile profile;

  private AzureClients(ComputeManager compute, NetworkManager network, AzureProfile profile) {
    this.compute = compute;
    this.network = network;
    this.profile = profile;
  }

  static AzureClients connect(AzureSettings settings, Progress progress, Sleeper sleeper, Clock clock) {
    AzureEnvironment environment = environment(settings);
    AzureProfile profile = new AzureProfile(settings.tenantId(), settings.subscriptionId(), environment);
    TokenCredential credential =
        Credentials.preflighted(settings, environment.getManagementEndpoint() + "/.default");
    HttpClient http = httpClient(settings.trustStore());
    // Retries are ArmRetryPolicy's (same timings as the SDK's, but its waits go through the sleeper); the SDK's
    // own retry policy, which sleeps on its own, is kept in the pipeline with no retries. LRO polling is
    // AzureVmGateway's, so the SDK's poll interval (its delay provider, static and 30 s) is never used.
    RetryOptions noSdkRetries = new RetryOptions(new FixedDelayOptions(0, Duration.ZERO));
    HttpPipelinePolicy retry = new ArmRetryPolicy(sleeper, clock);
    HttpPipelinePolicy trace = new TracePolicy(progress);
    HttpPipelinePolicy post = new NoRetryAfterSentPost();
    ComputeManager compute = ComputeManager.configure().withHttpClient(http).withRetryOptions(noSdkRetries)
        .withPolicy(retry).withPolicy(post).withPolicy(trace).authenticate(credential, profile);
    NetworkManager network = NetworkManager.configure().withHttpClient(http).withRetryOptions(noSdkRetries)
        .withPolicy(retry).withPolicy(post).withPolicy(trace).authenticate(credential, profile);
    return new AzureClients(compute, network, profile);
  }

  static AzureEnvironment environment(AzureSettings settings) {
    AzureEnvironment base = switch (settings.cloud()) {
      case AZURE_CLOUD -> AzureEnvironment.AZURE;
      case AZURE_CHINA_CLOUD -> AzureEnvironment.AZURE_CHINA;
      case AZURE_US_GOVERNMENT -> AzureEnvironment.AZURE_US_GOVERNMENT;
    };
    if (settings.armEndpoint() == null) {
      return base;
    }
    Map<String, String> endpoints = new HashMap<>(base.getEndpoints());
    String arm = settings.effectiveArmEndpoint();
    endpoints.put("resourceManagerEndpointUrl", arm);
    // The SDK derives the token scope from the management endpoint; a custom ARM endpoint is its own audience.
    endpoints.put("managementEndpointUrl", arm);
    return new AzureEnvironment(endpoints);
  }

  private static HttpClient httpClient(KeyStore trustStore) {
    try {
      SSLContext context;
      if (trustStore != null) {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
      } else {
        context = SSLContext.getDefault();
      }
      // ARM speaks TLS 1.2+; pinning it here keeps the probe's relaxed policy (TLS 1.0 for diagnosis) off this client.
      SSLParameters params = new SSLParameters();
      params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
          .sslContext(context).sslParameters(params).version(Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10));
      return new JdkHttpClientBuilder(builder).responseTimeout(Duration.ofSeconds(90)).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for Azure: " + e.getMessage(), e);
    }
  }

  /** Marks a transport failure of a POST so it is not re-sent: Run Command or restart may already be running. */
  static final class PostNotRetried extends RuntimeException {
    PostNotRetried(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static final class NoRetryAfterSentPost implements HttpPipelinePolicy {
    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
      boolean post = context.getHttpRequest().getHttpMethod() == HttpMethod.POST;
      return next.process().onErrorMap(e -> post && !(e instanceof PostNotRetried), PostNotRetried::new);
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
      try {
        return next.processSync();
      } catch (RuntimeException e) {
        if (context.getHttpRequest().getHttpMethod() == HttpMethod.POST && !(e instanceof PostNotRetried)) {
          throw new PostNotRetried(e);
        }
        throw e;
      }
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
      return HttpPipelinePosition.PER_RETRY;
    }
  }

  /** With --verbose: one line per ARM request (method, path, status, time). Never headers, so never the token. */
  private static final class TracePolicy implements HttpPipelinePolicy {
    private final Progress progress;

    TracePolicy(Progress progress) {
      this.progress = progress;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
      long start = System.nanoTime();
      return next.process().doOnNext(r -> log(context, r.getStatusCode(), start));
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
      long start = System.nanoTime();
      HttpResponse r = next.processSync();
      log(context, r.getStatusCode(), start);
      return r;
    }

    private void log(HttpPipelineCallContext context, int status, long start) {
      var url = context.getHttpRequest().getUrl();
      progress.detail("ARM " + context.getHttpRequest().getHttpMethod() + " " + url.getPath() + " -> " + status
          + " (" + (System.nanoTime() - start) / 1_000_000 + " ms)");
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
      return HttpPipelinePosition.PER_RETRY;
    }
  }
}
