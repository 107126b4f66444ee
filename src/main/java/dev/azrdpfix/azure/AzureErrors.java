package dev.azrdpfix.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns SDK exceptions into one-line, actionable {@link AzrdpfixException}s. The only place that reads them. */
final class AzureErrors {
  private static final Pattern ACTION = Pattern.compile("perform action '([^']+)'");

  private AzureErrors() {}

  /**
   * @param doing what we were doing, e.g. "reading VM 'rg-prod/web-01'"
   * @param endpoint the ARM endpoint, for connection failures
   */
  static AzrdpfixException map(RuntimeException e, String doing, String endpoint) {
    if (e instanceof AzrdpfixException a) {
      return a;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof AzrdpfixException a) {
        return a;
      }
      root = root.getCause();
    }
    if (findCause(e, ClientAuthenticationException.class) != null) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": authentication failed: "
          + Credentials.firstLine(String.valueOf(findCause(e, ClientAuthenticationException.class).getMessage()))
          + ". Log in again ('az login') or check --auth.", e);
    }
    ManagementException me = findCause(e, ManagementException.class);
    if (me != null) {
      return fromManagement(me, doing);
    }
    HttpResponseException he = findCause(e, HttpResponseException.class);
    if (he != null && he.getResponse() != null) {
      return fromStatus(he.getResponse().getStatusCode(), null, he.getMessage(), doing, e);
    }
    if (findCause(e, HttpTimeoutException.class) != null || root instanceof java.util.concurrent.TimeoutException) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": Azure Resource Manager at " + endpoint
          + " did not answer in time. Check the network or retry later.", e);
    }
    if (findCause(e, ConnectException.class) != null || findCause(e, IOException.class) != null
        || e instanceof UncheckedIOException) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": cannot reach Azure Resource Manager at " + endpoint
          + " (" + simpleMessage(root) + "). Check the network, proxy or --arm-endpoint; rerun with --verbose.", e);
    }
    return new AzrdpfixException(ExitCode.AZURE, doing + ": " + simpleMessage(root)
        + ". Rerun with --verbose for the ARM requests.", e);
  }

  private static AzrdpfixException fromManagement(ManagementException me, String doing) {
    ManagementError v = me.getValue();
    String code = v == null ? null : v.getCode();
    String message = v == null ? me.getMessage() : v.getMessage();
    int status = me.getResponse() == null ? 0 : me.getResponse().getStatusCode();
    return fromStatus(status, code, message, doing, me);
  }

  private static AzrdpfixException fromStatus(
      int status, String code, String message, String doing, RuntimeException e) {
    String c = code == null ? "" : code;
    String m = message == null ? "" : Credentials.firstLine(message);
    if ("VMAgentStatusCommunicationError".equals(c) || c.startsWith("VMExtensionProvisioning")) {
      return new AzrdpfixException(ExitCode.PRECONDITION, doing + ": the guest agent did not respond (" + c
          + "). Check the agent ('azrdpfix inspect'), or repair offline with 'az vm repair'.", e);
    }
    if (status == 409 || "Conflict".equals(c) || "OperationNotAllowed".equals(c)) {
      if (m.toLowerCase(java.util.Locale.ROOT).contains("run command")) {
        return new AzrdpfixException(ExitCode.PRECONDITION, doing + ": another Run Command is still running on the"
            + " VM (" + c + "). Wait for it to finish (it cannot be cancelled) and try again.", e);
      }
      return new AzrdpfixException(ExitCode.PRECONDITION, doing + ": Azure refused the operation (" + c + ": " + m
          + "). Check the VM's state with 'azrdpfix inspect'.", e);
    }
    if (status == 401 || status == 403 || "AuthorizationFailed".equals(c)) {
      Matcher action = ACTION.matcher(m);
      String next = action.find()
          ? "Grant the identity '" + action.group(1) + "' (e.g. role 'Virtual Machine Contributor' on the VM)."
          : "Check the identity's role assignments on the VM and resource group.";
      return new AzrdpfixException(ExitCode.AZURE, doing + ": permission denied (" + (c.isEmpty() ? status : c)
          + "). " + next, e);
    }
    if (status == 404 || c.endsWith("NotFound")) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": not found (" + (c.isEmpty() ? "404" : c) + ": " + m
          + "). Check the name, resource group and --subscription.", e);
    }
    if (status == 429 || c.contains("Throttl") || "TooManyRequests".equals(c)) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": Azure is throttling requests (" + c
          + ") and retries were exhausted. Wait a few minutes and run again.", e);
    }
    if (status >= 500) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": Azure returned " + status
          + (c.isEmpty() ? "" : " " + c) + " after retries. Retry later; check https://status.azure.com.", e);
    }
    if (status == 200 && !c.isEmpty()) {
      return new AzrdpfixException(ExitCode.AZURE, doing + ": the Azure operation failed (" + c + ": " + m + ").", e);
    }
    return new AzrdpfixException(ExitCode.AZURE, doing + ": Azure answered " + status
        + (c.isEmpty() ? "" : " " + c) + (m.isEmpty() ? "" : ": " + m) + ".", e);
  }

  static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    Throwable cur = t;
    for (int i = 0; cur != null && i < 20; i++) {
      if (type.isInstance(cur)) {
        return type.cast(cur);
      }
      cur = cur.getCause();
    }
    return null;
  }

  private static String simpleMessage(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + Credentials.firstLine(m));
  }
}
