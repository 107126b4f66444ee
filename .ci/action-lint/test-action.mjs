// Runs the composite action's own shell steps (action.yml, `shell: bash`) the way the runner would, with a fake
// GITHUB_* environment, against the simulated Azure, and checks the step's exit code, its outputs file, the job
// summary and the annotations in its log. The `uses:` steps (setup-java, cache) are skipped: Java and the Maven
// repository are already here. `${{ }}` expressions in `env:` are evaluated for the few contexts the action uses;
// anything else fails the test, so the harness cannot silently drift from action.yml.
//
// Usage: node .ci/action-lint/test-action.mjs   (after `mvn package`, so target/azrdpfix.jar exists)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const root = resolve(new URL("../..", import.meta.url).pathname);
const action = parse(readFileSync(join(root, "action.yml"), "utf8"));
const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ""]));
let failures = 0;

function evaluate(expr, ctx) {
  return expr.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e) => {
    let m;
    if ((m = e.match(/^inputs\.([A-Za-z0-9_-]+)$/))) {
      if (!(m[1] in ctx.inputs)) throw new Error(`unknown input ${m[1]}`);
      return ctx.inputs[m[1]];
    }
    if ((m = e.match(/^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/))) {
      return ctx.steps[m[1]]?.[m[2]] ?? "";
    }
    if (e === "github.action_path") return root;
    if (e === "runner.os") return "Linux";
    if (e === "runner.temp") return ctx.temp;
    throw new Error(`harness cannot evaluate \${{ ${e} }}`);
  });
}

/** The runner's GITHUB_OUTPUT parser: name=value and name<<DELIM ... DELIM. */
function parseOutputs(text) {
  const out = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l) continue;
    const h = l.indexOf("<<");
    const eq = l.indexOf("=");
    if (h > 0 && (eq < 0 || h < eq)) {
      const name = l.slice(0, h);
      const delim = l.slice(h + 2);
      const value = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]);
      if (i >= lines.length) throw new Error(`unterminated output ${name}`);
      out[name] = value.join("\n");
    } else {
      out[l.slice(0, eq)] = l.slice(eq + 1);
    }
  }
  return out;
}

/** Runs every bash step of the action in order; stops at the first failing step, like the runner. */
function runAction(inputs, temp) {
  const ctx = { inputs: { ...defaults, ...inputs }, steps: {}, temp };
  const summary = join(temp, "summary.md");
  writeFileSync(summary, "");
  let log = "";
  for (const step of action.runs.steps) {
    if (step.uses) continue;
    if (step.shell !== "bash") throw new Error(`step ${step.name}: only bash steps are run here`);
    if (/\$\{\{/.test(step.run)) throw new Error(`step ${step.name}: an expression inside run: (script injection)`);
    const outputs = join(temp, `output-${step.id ?? "x"}`);
    writeFileSync(outputs, "");
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME ?? "",
      GITHUB_ACTIONS: "true", GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp,
      GITHUB_WORKSPACE: temp,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(String(v), ctx);
    // The runner's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
    const script = join(temp, "step.sh");
    writeFileSync(script, step.run);
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: temp, env,
      encoding: "utf8" });
    log += r.stdout + r.stderr;
    if (step.id) ctx.steps[step.id] = parseOutputs(readFileSync(outputs, "utf8"));
    if (r.status !== 0) return { code: r.status, outputs: ctx.steps.run ?? {}, summary: readFileSync(summary, "utf8"), log };
  }
  return { code: 0, outputs: ctx.steps.run ?? {}, summary: readFileSync(summary, "utf8"), log };
}

function commands(log) {
  return log.split(/\r\n|\r|\n/).map((l) => l.trimStart()).filter((l) => l.startsWith("::") || l.startsWith("##["));
}

function check(name, inputs, expect) {
  const temp = mkdtempSync(join(tmpdir(), "azrdpfix-action-"));
  try {
    const r = runAction(inputs, temp);
    const problems = expect(r, temp);
    if (problems.length) {
      failures++;
      console.log(`FAIL ${name}\n  ${problems.join("\n  ")}\n--- log\n${r.log}\n--- outputs\n${JSON.stringify(r.outputs)}`);
    } else {
      console.log(`ok   ${name}`);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function want(problems, cond, what) {
  if (!cond) problems.push(what);
}

if (!existsSync(join(root, "target/azrdpfix.jar"))) {
  execFileSync("mvn", ["-B", "-q", "-ntp", "package", "-DskipTests"], { cwd: root, stdio: "inherit" });
}

check("inspect of a blocked VM fails the step with exit 5, one error per blocking finding", {
  command: "inspect", vm: "web-01", args: "--simulate",
}, (r, temp) => {
  const p = [];
  want(p, r.code === 5, `step exit ${r.code}, expected 5`);
  want(p, r.outputs["exit-code"] === "5" && r.outputs["exit-name"] === "rdp-blocked", "exit outputs");
  want(p, r.outputs.verdict === "blocked", `verdict ${r.outputs.verdict}`);
  want(p, r.outputs.report === "azrdpfix-report.json", `report ${r.outputs.report}`);
  const report = JSON.parse(readFileSync(join(temp, "azrdpfix-report.json"), "utf8"));
  const critical = report.findings.filter((f) => f.severity === "critical").map((f) => f.id);
  const errors = commands(r.log).filter((c) => c.startsWith("::error "));
  want(p, critical.length > 0 && errors.length === critical.length, `${errors.length} errors for ${critical}`);
  want(p, r.summary === readFileSync(join(temp, "azrdpfix-report.md"), "utf8"), "summary = the report's Markdown");
  want(p, commands(r.log).some((c) => c.startsWith("::group::azrdpfix inspect web-01")), "progress group");
  return p;
});

check("continue-on-rdp-blocked lets the step pass and still reports exit 5", {
  command: "inspect", vm: "web-01", args: "--simulate", "continue-on-rdp-blocked": "true", report: "",
}, (r) => {
  const p = [];
  want(p, r.code === 0, `step exit ${r.code}, expected 0`);
  want(p, r.outputs["exit-code"] === "5", "exit-code output");
  want(p, r.outputs.report === "", "no report asked, none named");
  want(p, commands(r.log).some((c) => c.startsWith("::warning title=azrdpfix::RDP is still blocked")), "warning");
  return p;
});

check("repair with yes repairs the VM and names the run to undo", {
  command: "repair", vm: "web-01", yes: "true", args: "--simulate\n--probe-wait 20s", report: "out/r.json",
}, (r, temp) => {
  const p = [];
  want(p, r.code === 0, `step exit ${r.code}, expected 0`);
  want(p, /^\d{8}T\d{6}Z-[a-z0-9]{6}$/.test(r.outputs["run-id"] ?? ""), `run-id ${r.outputs["run-id"]}`);
  want(p, r.outputs.verdict === "ok", `verdict ${r.outputs.verdict}`);
  want(p, r.summary.includes(`Undo: \`azrdpfix rollback rg-prod/web-01 --run ${r.outputs["run-id"]} --simulate\``), "undo");
  want(p, existsSync(join(temp, "out/r.md")), "Markdown beside the JSON report");
  want(p, !commands(r.log).some((c) => c.startsWith("::error")), "no error annotation");
  return p;
});

check("a repair without yes refuses with exit 6 and changes nothing", {
  command: "repair", vm: "web-01", args: "--simulate",
}, (r) => {
  const p = [];
  want(p, r.code === 6 && r.outputs["exit-name"] === "not-confirmed", `step exit ${r.code}`);
  return p;
});

check("inputs are data: shell syntax in vm and args is never run", {
  command: "inspect", vm: "web-01;touch PWNED-vm", args: "--simulate $(touch${IFS}PWNED-args) `touch PWNED-bt` *",
}, (r, temp) => {
  const p = [];
  want(p, r.code === 2, `step exit ${r.code}, expected 2 (usage)`);
  for (const f of ["PWNED-vm", "PWNED-args", "PWNED-bt"]) want(p, !existsSync(join(temp, f)), `${f} was created`);
  want(p, commands(r.log).filter((c) => c.startsWith("::error")).length === 1, "one error annotation");
  return p;
});

check("an unknown command is refused before Java runs", { command: "deploy", vm: "web-01" }, (r) => {
  const p = [];
  want(p, r.code === 2, `step exit ${r.code}, expected 2`);
  want(p, commands(r.log).some((c) => c.startsWith("::error title=azrdpfix action::input 'command'")), "error");
  return p;
});

if (failures) {
  console.log(`test-action: ${failures} case(s) failed`);
  process.exit(1);
}
console.log("test-action: the action's shell steps behave as documented");
