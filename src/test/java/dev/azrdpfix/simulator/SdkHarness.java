package dev.azrdpfix.simulator;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The real Azure SDK (compute + network managers, JDK HttpClient) wired to a simulator over HTTPS. */
final class SdkHarness {
  final ComputeManager compute;
  final NetworkManager network;
  final java.net.http.HttpClient raw;

  SdkHarness(SimulatedAzure sim) {
    ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
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
        .policies(new RetryPolicy("Retry-After", ChronoUnit.SECONDS), bearer)
        .build();
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", sim.armEndpoint().toString());
    AzureProfile profile = new AzureProfile(sim.tenantId(), sim.subscriptionId(), new AzureEnvironment(endpoints));
    compute = ComputeManager.authenticate(pipeline, profile);
    network = NetworkManager.authenticate(pipeline, profile);
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
