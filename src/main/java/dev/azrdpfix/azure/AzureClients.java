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
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import dev.azrdpfix.core.port.Progress;
import java.net.http.HttpClient.Version;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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

  static AzureClients connect(AzureSettings settings, Progress progress) {
    AzureEnvironment environment = environment(settings);
    AzureProfile profile = new AzureProfile(settings.tenantId(), settings.subscriptionId(), environment);
    TokenCredential credential =
        Credentials.preflighted(settings, environment.getManagementEndpoint() + "/.default");
    HttpClient http = httpClient(settings.trustStore());
    RetryOptions retry = retryOptions();
    // The LRO poll interval: the SDK default is 30 s; ARM's Retry-After still wins when it is sent.
    Duration poll = settings.pollInterval();
    ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> poll);
    HttpPipelinePolicy trace = new TracePolicy(progress);
    HttpPipelinePolicy post = new NoRetryAfterSentPost();
    ComputeManager compute = ComputeManager.configure().withHttpClient(http).withRetryOptions(retry)
        .withPolicy(post).withPolicy(trace).authenticate(credential, profile);
    NetworkManager network = NetworkManager.configure().withHttpClient(http).withRetryOptions(retry)
        .withPolicy(post).withPolicy(trace).authenticate(credential, profile);
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

  /**
   * Retries throttling (429 with Retry-After), 408 and 5xx up to three times with backoff, but never a failed
   * credential (it would fail the same way four times) and never a POST whose request may have reached Azure.
   */
  private static RetryOptions retryOptions() {
    return new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(3)
        .setBaseDelay(Duration.ofMillis(800)).setMaxDelay(Duration.ofSeconds(8)))
        .setShouldRetryCondition(c -> {
          if (c.getThrowable() != null) {
            Throwable t = c.getThrowable();
            return !(t instanceof ClientAuthenticationException) && !(t instanceof PostNotRetried)
                && !(t instanceof dev.azrdpfix.core.AzrdpfixException);
          }
          HttpResponse r = c.getResponse();
          int s = r.getStatusCode();
          return s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505);
        });
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
