package dev.azrdpfix.cli;

import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.testing.ArmWorld;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process with the real Azure CLI credential: a fake {@code az} on PATH answers
 * {@code az account get-access-token} like the Azure CLI does, and ARM is served over HTTPS on loopback.
 */
@DisabledOnOs(OS.WINDOWS)
class CliProcessTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();
  @TempDir
  Path home;

  record Proc(int exit, String out, String err) {}

  Proc run(Path bin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.azrdpfix.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("HOME", home.toString());
    pb.environment().put("AZURE_CONFIG_DIR", home.resolve(".azure").toString());
    pb.environment().put("AZURE_SUBSCRIPTION_ID", SUB);
    Process p = pb.start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "azrdpfix did not finish");
    return new Proc(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  Path fakeAz(String body) throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path az = bin.resolve("az");
    Files.writeString(az, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(az, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void inspects_over_https_with_a_custom_arm_endpoint_and_the_azure_cli_login() throws Exception {
    new ArmWorld(wm).serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    long expires = System.currentTimeMillis() / 1000 + 3600;
    Path bin = fakeAz("echo \"$@\" >> \"$HOME/az-calls\"\n"
        + "echo '{\"accessToken\":\"cli-token\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":" + expires
        + ",\"subscription\":\"" + SUB + "\",\"tenant\":\"t\",\"tokenType\":\"Bearer\"}'\n");
    Proc p = run(bin, "inspect", "rg1/vm1", "--auth", "cli", "--arm-endpoint", new ArmWorld(wm).endpoint(),
        "--ca-file", ArmWorld.caPem(home).toString(), "--azure-only");
    assertEquals(0, p.exit(), p::toString);
    assertTrue(p.out().contains("rdp-restricted-sources"), p::toString);
    assertTrue(!p.err().contains("cli-token") && !p.out().contains("cli-token"), "token printed");
    String calls = Files.readString(home.resolve("az-calls"));
    assertEquals(1, calls.lines().count(), "one token request for the whole run: " + calls);
    assertTrue(calls.contains("account get-access-token"), calls);
    wm.verify(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).withHeader("Authorization",
            com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer cli-token")));
  }

  @Test
  void a_missing_azure_cli_login_fails_once_fast_in_one_line() throws Exception {
    Path bin = fakeAz("echo \"$@\" >> \"$HOME/az-calls\"\necho \"ERROR: Please run 'az login' to setup account.\" >&2\n"
        + "exit 1\n");
    long start = System.nanoTime();
    Proc p = run(bin, "inspect", "rg1/vm1", "--auth", "cli", "--arm-endpoint", new ArmWorld(wm).endpoint());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(3, p.exit(), p::toString);
    List<String> errors = p.err().lines().filter(l -> l.startsWith("azrdpfix: ")).toList();
    assertEquals(1, errors.size(), p::toString);
    assertTrue(errors.get(0).contains("az login"), p::toString);
    assertEquals(1, Files.readString(home.resolve("az-calls")).lines().count(), "credential called once");
    assertEquals(0, wm.getAllServeEvents().size());
    assertTrue(ms < 20_000, "took " + ms + " ms");
  }
}
