package dev.azrdpfix.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.PermissionReader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PermissionReader} over ARM's permissions API
 * ({@code GET {vm id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01}), sent through the same SDK
 * pipeline as every other call (credential, retries, TLS trust, {@code --verbose} trace), following {@code nextLink}.
 */
final class ArmPermissions implements PermissionReader {
  static final String API_VERSION = "2022-04-01";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PAGES = 50;

  private final HttpPipeline pipeline;
  private final String endpoint;

  ArmPermissions(HttpPipeline pipeline, String endpoint) {
    this.pipeline = pipeline;
    this.endpoint = endpoint.endsWith("/") ? endpoint : endpoint + "/";
  }

  @Override
  public List<Permission> permissionsAt(VmRef vm) {
    String doing = "reading the permissions of the current identity on '" + vm.display() + "'";
    String url = endpoint + "subscriptions/" + seg(vm.subscriptionId()) + "/resourceGroups/" + seg(vm.resourceGroup())
        + "/providers/Microsoft.Compute/virtualMachines/" + seg(vm.name())
        + "/providers/Microsoft.Authorization/permissions?api-version=" + API_VERSION;
    List<Permission> out = new ArrayList<>();
    try {
      for (int page = 0; url != null && page < MAX_PAGES; page++) {
        JsonNode doc = get(url, doing);
        for (JsonNode p : doc.path("value")) {
          out.add(new Permission(strings(p.path("actions")), strings(p.path("notActions"))));
        }
        url = doc.path("nextLink").isTextual() && !doc.path("nextLink").asText().isEmpty()
            ? doc.path("nextLink").asText() : null;
      }
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, doing, endpoint);
    }
    return out;
  }

  private JsonNode get(String url, String doing) {
    try (HttpResponse r = pipeline.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
      String body = r.getBodyAsBinaryData() == null ? "" : r.getBodyAsBinaryData().toString();
      if (r.getStatusCode() / 100 != 2) {
        JsonNode error = parse(body).path("error");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        if (r.getStatusCode() == 403 || r.getStatusCode() == 401) {
          throw new AzrdpfixException(ExitCode.AZURE, doing + ": permission denied (" + (code.isEmpty()
              ? r.getStatusCode() : code) + "): the identity cannot even read its permissions there. Grant it"
              + " 'Reader' (or the azrdpfix role) on the VM's resource group.");
        }
        throw new AzrdpfixException(ExitCode.AZURE, doing + ": Azure answered " + r.getStatusCode()
            + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + Credentials.firstLine(message))
            + ".");
      }
      return parse(body);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
