// Writes every bash `run:` script of the given actions and workflows to DIR (one file each, named after its place),
// for shellcheck. Steps with another shell (cmd, pwsh, powershell), given on the step or as the job's or workflow's
// `defaults.run.shell`, are skipped; a step without any runs bash on Linux runners. Usage: node … DIR FILE...
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const [dir, ...files] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
let n = 0;
for (const file of files) {
  const doc = parse(readFileSync(file, "utf8"));
  const workflowShell = doc.defaults?.run?.shell;
  const steps = doc.runs?.steps?.map((s) => ({ s, shell: s.shell }))
    ?? Object.values(doc.jobs ?? {}).flatMap((j) => (j.steps ?? []).map((s) => ({
      s, shell: s.shell ?? j.defaults?.run?.shell ?? workflowShell,
    })));
  steps.forEach(({ s, shell }, i) => {
    if (typeof s.run === "string" && (shell === undefined || shell === "bash")) {
      writeFileSync(join(dir, `${file.replace(/[^A-Za-z0-9]+/g, "_")}-step${i + 1}.sh`), `#!/usr/bin/env bash\n${s.run}`);
      n++;
    }
  });
}
console.log(`extract-run: ${n} bash scripts`);
