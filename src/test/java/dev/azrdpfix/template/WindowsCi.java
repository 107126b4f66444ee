package dev.azrdpfix.template;

import dev.azrdpfix.core.guest.GuestAnalyzer;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.RepairOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java half of the Windows CI job (.github/workflows/windows-guest.yml): it composes exactly the scripts azrdpfix
 * sends, plans a repair from a real diagnose output with the real analyzer, and judges every marker line with the
 * project's own {@link ResultParser}. PowerShell runs the scripts as SYSTEM on the runner in between.
 *
 * <pre>
 * compose ID OUT.ps1 OUT.params [Name=Value ...]   a single template as sent alone, and its validated parameters
 * plan DIAGNOSE.stdout RUNID OUT.ps1 OUT.params [NOW]  diagnose facts -> analyzer -> bundle; prints the plan ids
 * check ID STDOUT STDERR STATUS[,STATUS] [step=status ...] [plan=id,id]   exit 1 unless the result is as expected
 * </pre>
 *
 * Exit codes: 0 as expected, 1 not as expected, 2 bad arguments.
 */
public final class WindowsCi {
  private WindowsCi() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args));
  }

  static int run(String[] args) throws IOException {
    if (args.length == 0) {
      return usage();
    }
    TemplateCatalog catalog = TemplateCatalog.load();
    switch (args[0]) {
      case "compose" -> {
        if (args.length < 4) {
          return usage();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : Arrays.copyOfRange(args, 4, args.length)) {
          params.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        write(catalog.prepare(args[1], params), Path.of(args[2]), Path.of(args[3]));
        return 0;
      }
      case "plan" -> {
        if (args.length != 5 && args.length != 6) {
          return usage();
        }
        String stdout = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        TemplateResult diag = ResultParser.parse("diagnose", stdout, "");
        if (diag.failed() || diag.facts() == null) {
          System.err.println("diagnose failed: " + diag.error());
          return 1;
        }
        // The caller's clock judges expiry and skew, as in the tool; a test may pin it (NOW as a 6th argument).
        Instant now = args.length == 6 ? Instant.parse(args[5]) : Instant.now();
        GuestDiagnosis d = GuestAnalyzer.analyze(diag.facts(), now, now, RepairOptions.defaults(),
            catalog::stepProperties);
        d.findings().forEach(f -> System.err.println("finding " + f.severity() + " " + f.id() + ": " + f.evidence()));
        d.blockedSteps().forEach(b -> System.err.println("blocked: " + b));
        System.out.println(String.join(",", d.planIds()));
        if (d.plan().isEmpty()) {
          System.err.println("the analyzer planned nothing");
          return 1;
        }
        List<StepCall> calls = new ArrayList<>();
        for (PlannedStep s : d.plan()) {
          Map<String, String> p = new HashMap<>(s.params());
          p.put("RunId", args[2]);
          calls.add(new StepCall(s.templateId(), p));
        }
        write(catalog.bundle(calls), Path.of(args[3]), Path.of(args[4]));
        return 0;
      }
      case "check" -> {
        return check(args);
      }
      default -> {
        return usage();
      }
    }
  }

  private static int check(String[] args) throws IOException {
    if (args.length < 5) {
      return usage();
    }
    String stdout = Files.readString(Path.of(args[2]), StandardCharsets.UTF_8);
    String stderr = Files.exists(Path.of(args[3])) ? Files.readString(Path.of(args[3]), StandardCharsets.UTF_8) : "";
    if (stdout.getBytes(StandardCharsets.UTF_8).length > 4096) {
      // Run Command would keep only the last 4,096 bytes: judge what it would return.
      byte[] b = stdout.getBytes(StandardCharsets.UTF_8);
      stdout = new String(b, b.length - 4096, 4096, StandardCharsets.UTF_8);
    }
    TemplateResult r = ResultParser.parse(args[1], stdout, stderr);
    System.out.println(args[1] + ": status=" + r.status().id() + " error=" + r.error());
    r.findings().forEach(f -> System.out.println("  finding " + f.id() + ": " + f.msg()));
    r.changes().forEach(c -> System.out.println("  change " + c.what() + ": " + c.before() + " -> " + c.after()));
    List<String> bad = new ArrayList<>();
    if (!Set.of(args[4].split(",")).contains(r.status().id())) {
      bad.add("status " + r.status().id() + ", expected " + args[4]);
    }
    for (String expect : Arrays.copyOfRange(args, 5, args.length)) {
      String key = expect.substring(0, expect.indexOf('='));
      String value = expect.substring(expect.indexOf('=') + 1);
      if (key.equals("plan")) {
        List<String> ids = r.steps().stream().map(TemplateResult::id).toList();
        if (!ids.equals(List.of(value.split(",")))) {
          bad.add("steps " + ids + ", expected " + value);
        }
        continue;
      }
      TemplateResult step = r.steps().stream().filter(s -> s.id().equals(key)).findFirst().orElse(null);
      String got = step == null ? "missing" : step.status().id();
      System.out
          .println("  step " + key + ": " + got + (step == null || step.error() == null ? "" : " " + step.error()));
      if (!Set.of(value.split(",")).contains(got)) {
        bad.add("step " + key + " is " + got + ", expected " + value);
      }
    }
    bad.forEach(b -> System.out.println("NOT AS EXPECTED: " + b));
    return bad.isEmpty() ? 0 : 1;
  }

  /** The script exactly as sent (lines joined with CRLF, as Run Command writes it on Windows) and its parameters. */
  private static void write(PreparedScript script, Path out, Path params) throws IOException {
    Files.writeString(out, String.join("\r\n", script.lines()) + "\r\n", StandardCharsets.US_ASCII);
    StringBuilder p = new StringBuilder();
    script.parameters().forEach((k, v) -> p.append(k).append('=').append(v).append("\r\n"));
    Files.writeString(params, p.toString(), StandardCharsets.US_ASCII);
    System.err.println("wrote " + out + " (sha256 " + script.sha256() + ") and " + params);
  }

  private static int usage() {
    System.err.println("usage: WindowsCi compose ID OUT.ps1 OUT.params [Name=Value ...] | plan DIAGNOSE.stdout RUNID "
        + "OUT.ps1 OUT.params | check ID STDOUT STDERR STATUS[,STATUS] [step=status ...] [plan=id,id]");
    return 2;
  }
}
