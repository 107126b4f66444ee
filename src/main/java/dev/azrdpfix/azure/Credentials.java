package dev.azrdpfix.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.CredentialUnavailableException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.EnvironmentCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.time.Duration;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/**
 * Builds the credential for {@code --auth}, fetches one token up front so an authentication failure surfaces once and
 * fast (the HTTP pipeline would otherwise retry a failing credential for about six seconds), and hands the SDK a
 * credential that reuses that token while it is valid (the Azure CLI credential costs a process start per token).
 */
final class Credentials {
  private Credentials() {}

  static TokenCredential preflighted(AzureSettings settings, String scope) {
    TokenCredential raw = build(settings);
    AccessToken first = fetch(raw, settings, scope);
    return new Cached(raw, first);
  }

  private static TokenCredential build(AzureSettings s) {
    if (s.staticToken() != null) {
      String token = s.staticToken();
      return ctx -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
    }
    String authority = s.cloud().authorityHost();
    String clientId = System.getenv("AZURE_CLIENT_ID");
    return switch (s.auth()) {
      case DEFAULT -> {
        DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder().authorityHost(authority);
        if (s.tenantId() != null) {
          b.tenantId(s.tenantId());
        }
        yield b.build();
      }
      case CLI -> {
        AzureCliCredentialBuilder b = new AzureCliCredentialBuilder().processTimeout(Duration.ofSeconds(30));
        if (s.tenantId() != null) {
          b.tenantId(s.tenantId());
        }
        yield b.build();
      }
      case ENV -> new EnvironmentCredentialBuilder().authorityHost(authority).build();
      case TOKEN -> throw new AzrdpfixException(ExitCode.AZURE, "authentication failed (--auth token):"
          + " AZRDPFIX_ACCESS_TOKEN is not set. Set it to an ARM access token, e.g. from"
          + " 'az account get-access-token --query accessToken -o tsv'.");
      case MANAGED_IDENTITY -> {
        ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
        if (clientId != null && !clientId.isBlank()) {
          b.clientId(clientId);
        }
        yield b.build();
      }
      case WORKLOAD_IDENTITY -> {
        WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder().authorityHost(authority);
        if (s.tenantId() != null) {
          b.tenantId(s.tenantId());
        }
        yield b.build();
      }
    };
  }

  private static AccessToken fetch(TokenCredential credential, AzureSettings s, String scope) {
    try {
      AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
      if (token == null || token.getToken() == null) {
        throw new AzrdpfixException(ExitCode.AZURE, "authentication failed (--auth " + s.auth().id()
            + "): the credential returned no token. " + hint(s));
      }
      return token;
    } catch (AzrdpfixException e) {
      throw e;
    } catch (CredentialUnavailableException e) {
      throw new AzrdpfixException(ExitCode.AZURE, "no Azure login found (--auth " + s.auth().id() + "): "
          + firstLine(e.getMessage()) + ". " + hint(s), e);
    } catch (ClientAuthenticationException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage();
      String next = msg.contains("AADSTS700024")
          ? "The GitHub OIDC assertion expired: run azure/login again right before azrdpfix."
          : hint(s);
      throw new AzrdpfixException(ExitCode.AZURE, "authentication failed (--auth " + s.auth().id() + "): "
          + firstLine(msg) + ". " + next, e);
    } catch (RuntimeException e) {
      throw new AzrdpfixException(ExitCode.AZURE, "authentication failed (--auth " + s.auth().id() + "): "
          + firstLine(String.valueOf(e.getMessage())) + ". " + hint(s), e);
    }
  }

  private static String hint(AzureSettings s) {
    return switch (s.auth()) {
      case CLI -> "Run 'az login' (and 'az account set -s <subscription>').";
      case ENV -> "Set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).";
      case MANAGED_IDENTITY ->
        "Run on an Azure resource with a managed identity (set AZURE_CLIENT_ID for a user-assigned one).";
      case WORKLOAD_IDENTITY -> "Set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE.";
      case TOKEN -> "Set AZRDPFIX_ACCESS_TOKEN to a current ARM token.";
      case DEFAULT ->
        "Run 'az login', or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or pick one with --auth.";
    };
  }

  /** Credential messages can span lines (the chain concatenates them); keep the error to one line. */
  static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    String line = (nl >= 0 ? t.substring(0, nl) : t).strip();
    if (line.endsWith(".")) {
      line = line.substring(0, line.length() - 1);
    }
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  /** Reuses a token until five minutes before it expires, then asks the real credential again. */
  private static final class Cached implements TokenCredential {
    private final TokenCredential delegate;
    private volatile AccessToken token;

    Cached(TokenCredential delegate, AccessToken token) {
      this.delegate = delegate;
      this.token = token;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.fromCallable(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      AccessToken t = token;
      if (t != null && t.getExpiresAt().isAfter(OffsetDateTime.now().plusMinutes(5))) {
        return t;
      }
      t = delegate.getTokenSync(request);
      token = t;
      return t;
    }
  }
}
