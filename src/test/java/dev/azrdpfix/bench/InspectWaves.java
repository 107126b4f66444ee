package dev.azrdpfix.bench;

import dev.azrdpfix.azure.AzureSettings;
import dev.azrdpfix.azure.AzureVmGateway;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.simulator.ServedRequest;
import dev.azrdpfix.simulator.SimulatedAzure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Benchmark (not a test): how many ARM requests {@code inspect} sends for a single-NIC VM, and in how many sequential
 * waves (a new wave starts when a request starts after every earlier request has ended). Uses the real gateway over
 * HTTPS against the simulated Azure with 150 ms of latency per request, so overlapping requests are visible.
 * Run: bench/run inspect
 */
public final class InspectWaves {
  public static void main(String[] args) throws Exception {
    Path state = Files.createTempDirectory("azrdpfix-bench").resolve("state.json");
    String[] vms = args.length > 0 ? args : new String[] {"rg-prod/web-01", "rg-prod/nsg-blocked-01"};
    try (SimulatedAzure sim = SimulatedAzure.start(new SimulatedAzure.Options(state, "fast", "latency:150ms", 0))) {
      AzureSettings settings = new AzureSettings(AzureSettings.Cloud.AZURE_CLOUD, sim.armEndpoint(),
          AzureSettings.AuthMode.DEFAULT, sim.subscriptionId(), sim.tenantId(), sim.trustStore(), sim.accessToken(),
          Duration.ofMillis(200));
      long origin = System.nanoTime();
      Progress trace = new Progress() {
        @Override
        public void step(String message) {}

        @Override
        public void detail(String message) {
          if (System.getenv("BENCH_TRACE") != null) {
            System.out.printf("  client %6d ms: %s%n", (System.nanoTime() - origin) / 1_000_000, message);
          }
        }
      };
      try (AzureVmGateway gw = AzureVmGateway.connect(settings, trace)) {
        for (String vm : vms) {
          VmRef ref = VmRef.parse(vm, null).withLocation(sim.subscriptionId(), VmRef.parse(vm, null).resourceGroup());
          int before = sim.requests().size();
          long t0 = System.nanoTime();
          gw.inspect(ref);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          List<ServedRequest> reqs = sim.requests().subList(before, sim.requests().size());
          int waves = 0;
          long waveEnd = Long.MIN_VALUE;
          StringBuilder detail = new StringBuilder();
          for (ServedRequest r : reqs) {
            if (r.startNanos() >= waveEnd) {
              waves++;
              detail.append("\n  wave ").append(waves).append(':');
            }
            waveEnd = Math.max(waveEnd, r.endNanos());
            detail.append(' ').append(r.method()).append(' ').append(r.route());
          }
          System.out.printf(
              "inspect %s: %d ARM requests in %d sequential waves, %d ms (150 ms latency per request)%s%n",
              vm, reqs.size(), waves, ms, detail);
        }
      }
    }
  }
}
