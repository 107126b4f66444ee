package dev.azrdpfix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.azure.AzureSettings;
import dev.azrdpfix.azure.AzureVmGateway;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.simulator.SimulatedAzure;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;

/**
 * One command's connection to Azure, real or simulated: resolves the subscription, builds the gateway and, with
 * {@code --simulate}, starts the simulated Azure and maps its VM addresses to loopback listeners for the probe.
 */
final class AzureSession implements AutoCloseable {
  final AzureGateway gateway;
  private final SimulatedAzure simulator;
  private final AzureVmGateway closeable;
  /** Whether --arm-endpoint is a loopback address (a served simulator): probes must then stay on loopback. */
  final boolean loopbackArm;
  private final String requestLog;

  final Clock clock;
  final Sleeper sleeper;

  private AzureSession(AzureGateway gateway, AzureVmGateway closeable, SimulatedAzure simulator, Environment env,
      boolean loopbackArm) {
    this.clock = env.clock();
    this.sleeper = env.sleeper();
    this.gateway = gateway;
    this.closeable = closeable;
    this.simulator = simulator;
    this.loopbackArm = loopbackArm;
    this.requestLog = env.get("AZRDPFIX_SIM_REQUEST_LOG");
  }

  static AzureSession open(AzureOptions o, Environment env, Progress progress, VmRef vm) {
    // Before the first TLS use in this JVM: lets the probe diagnose TLS 1.0/1.1-only RDP servers after a repair.
    // The Azure client pins TLS 1.2+ itself, so only the probe's own sockets ever offer the old versions.
    dev.azrdpfix.probe.TlsPolicy.relaxForProbing();
    AzureSettings.Cloud cloud = o.cloud();
    AzureSettings.AuthMode auth = o.authMode();
    String fromId = vm.subscriptionId(); // a full resource ID names its subscription
    if (o.subscription != null) {
      VmRef.validateSubscription(o.subscription);
    }
    if (o.resourceGroup != null) {
      VmRef.validateResourceGroup(o.resourceGroup);
    }
    if (o.simulator.simulate) {
      if (o.armEndpoint != null) {
        throw AzrdpfixException.usage("--simulate and --arm-endpoint cannot be combined: the simulator is its own"
            + " ARM endpoint. Drop one of them.");
      }
      SimulatedAzure sim = SimulatedAzure.start(o.simulator.tuning.options(SimulatorOptions.stateFile(env), 0, env));
      try {
        String sub = firstNonNull(o.subscription, fromId, sim.subscriptionId());
        AzureSettings settings = new AzureSettings(cloud, sim.armEndpoint(), AzureSettings.AuthMode.DEFAULT, sub,
            sim.tenantId(), sim.trustStore(), sim.accessToken(), Duration.ofMillis(200));
        AzureVmGateway gw = AzureVmGateway.connect(settings, progress, env.sleeper(), env.clock());
        return new AzureSession(gw, gw, sim, env, true);
      } catch (RuntimeException e) {
        sim.close();
        throw e;
      }
    }
    URI arm = null;
    if (o.armEndpoint != null) {
      try {
        arm = URI.create(o.armEndpoint);
      } catch (IllegalArgumentException e) {
        arm = null;
      }
      if (arm == null || !"https".equalsIgnoreCase(arm.getScheme()) || arm.getHost() == null) {
        throw AzrdpfixException.usage("--arm-endpoint '" + o.armEndpoint + "' is not an https URL: Azure tokens are"
            + " only sent over https. Give it as https://host[:port]/.");
      }
    }
    String sub = firstNonNull(o.subscription, fromId, env.get("AZURE_SUBSCRIPTION_ID"), cliDefaultSubscription(env));
    if (sub == null) {
      throw AzrdpfixException.usage("no subscription: pass --subscription ID, set AZURE_SUBSCRIPTION_ID, or choose"
          + " one with 'az account set -s ID'.");
    }
    sub = VmRef.validateSubscription(sub);
    KeyStore trust = o.caFile == null ? null : trustWithExtraCa(Path.of(o.caFile));
    // A loopback ARM endpoint is a simulator on this machine ('simulator serve'): poll it as fast as --simulate does.
    boolean loopback = arm != null && LoopbackRdp.isLoopback(arm.getHost());
    AzureSettings settings =
        new AzureSettings(cloud, arm, auth, sub, firstNonNull(o.tenant, env.get("AZURE_TENANT_ID")),
            trust, auth == AzureSettings.AuthMode.TOKEN ? env.get("AZRDPFIX_ACCESS_TOKEN") : null,
            loopback ? Duration.ofMillis(200) : Duration.ofSeconds(5));
    AzureVmGateway gw = AzureVmGateway.connect(settings, progress, env.sleeper(), env.clock());
    return new AzureSession(gw, gw, null, env, loopback);
  }

  /** With the simulated Azure: the loopback listener behind a simulated VM's address, like a NAT. */
  InetSocketAddress simulatedRdpAddress(String ip, int port) {
    InetSocketAddress a = simulator.rdpAddress(ip, port);
    if (a == null) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "simulated Azure has no listener for " + ip + ":" + port
          + ". This is a simulator bug; please report it.");
    }
    return a;
  }

  /** The current identity's permissions at a VM's scope (check-access). */
  dev.azrdpfix.core.port.PermissionReader permissions() {
    return closeable.permissions();
  }

  boolean simulated() {
    return simulator != null;
  }

  /** The Azure CLI's default subscription, read from its profile file (no process started). */
  static String cliDefaultSubscription(Environment env) {
    Path dir = env.get("AZURE_CONFIG_DIR") != null ? Path.of(env.get("AZURE_CONFIG_DIR"))
        : env.home().resolve(".azure");
    Path profile = dir.resolve("azureProfile.json");
    if (!Files.isRegularFile(profile)) {
      return null;
    }
    try {
      String text = Files.readString(profile).replace("\uFEFF", "");
      JsonNode root = new ObjectMapper().readTree(text);
      for (JsonNode s : root.path("subscriptions")) {
        if (s.path("isDefault").asBoolean(false)) {
          return s.path("id").asText(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null; // an unreadable CLI profile is the same as none: the error below tells what to do
    }
    return null;
  }

  private static KeyStore trustWithExtraCa(Path pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      int i = 0;
      for (var tm : tmf.getTrustManagers()) {
        if (tm instanceof javax.net.ssl.X509TrustManager x) {
          for (var c : x.getAcceptedIssuers()) {
            ks.setCertificateEntry("jdk-" + i++, c);
          }
        }
      }
      try (InputStream in = Files.newInputStream(pem)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("extra-" + i++, c);
        }
      }
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw AzrdpfixException.usage("--ca-file '" + pem + "' cannot be read as PEM certificates (" + e.getMessage()
          + "). Give a PEM file with one or more BEGIN CERTIFICATE blocks.");
    }
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (closeable != null) {
      closeable.close();
    }
    if (simulator != null) {
      writeRequestLog();
      simulator.close();
    }
  }

  /**
   * With {@code AZRDPFIX_SIM_REQUEST_LOG=FILE}, appends the simulator's served ARM requests to FILE, one
   * "METHOD route status path" line each: what tests and bench/run count (restart POSTs, runCommand POSTs).
   */
  private void writeRequestLog() {
    String file = requestLog;
    if (file == null || file.isBlank()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    simulator.requests().forEach(r -> b.append(r.method()).append(' ').append(r.route()).append(' ')
        .append(r.status()).append(' ').append(r.path()).append('\n'));
    try {
      java.nio.file.Files.writeString(java.nio.file.Path.of(file), b, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write the simulator's request log " + file, e);
    }
  }
}
