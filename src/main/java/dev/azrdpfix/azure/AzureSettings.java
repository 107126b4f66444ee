package dev.azrdpfix.azure;

import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;

/**
 * How to reach Azure: which cloud or custom ARM endpoint, how to authenticate, which subscription. Built by the CLI
 * from its options; {@code staticToken} and {@code trustStore} are set only for the simulated Azure.
 */
public record AzureSettings(
    Cloud cloud,
    URI armEndpoint,
    AuthMode auth,
    String subscriptionId,
    String tenantId,
    KeyStore trustStore,
    String staticToken,
    Duration pollInterval) {

  /** The Azure clouds with public, well-known endpoints. */
  public enum Cloud {
    AZURE_CLOUD("AzureCloud", "https://management.azure.com/", "https://login.microsoftonline.com/",
        "https://management.core.windows.net/"), AZURE_CHINA_CLOUD("AzureChinaCloud",
            "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn/",
            "https://management.core.chinacloudapi.cn/"), AZURE_US_GOVERNMENT("AzureUSGovernment",
                "https://management.usgovcloudapi.net/",
                "https://login.microsoftonline.us/", "https://management.core.usgovcloudapi.net/");

    private final String cliName;
    private final String arm;
    private final String authority;
    private final String audience;

    Cloud(String cliName, String arm, String authority, String audience) {
      this.cliName = cliName;
      this.arm = arm;
      this.authority = authority;
      this.audience = audience;
    }

    public String cliName() {
      return cliName;
    }

    public String armEndpoint() {
      return arm;
    }

    public String authorityHost() {
      return authority;
    }

    /** The token audience ARM accepts (the SDK asks for {@code <audience>/.default}). */
    public String audience() {
      return audience;
    }
  }

  /** The credential sources a user can choose with {@code --auth}. */
  public enum AuthMode {
    DEFAULT("default"), CLI("cli"), ENV("env"), MANAGED_IDENTITY("managed-identity"), WORKLOAD_IDENTITY(
        "workload-identity"),
    /** A bearer token fetched beforehand, from AZRDPFIX_ACCESS_TOKEN (e.g. 'az account get-access-token'). */
    TOKEN("token");

    private final String id;

    AuthMode(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** The ARM endpoint in use, with a trailing slash. */
  public String effectiveArmEndpoint() {
    String e = armEndpoint != null ? armEndpoint.toString() : cloud.armEndpoint();
    return e.endsWith("/") ? e : e + "/";
  }
}
