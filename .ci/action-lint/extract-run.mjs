// Writes every bash `run:` script of the given actions and workflows to DIR (one file each, named after its place),
// for shellcheck. Steps with another shell (cmd, pwsh, powershell) are skipped. Usage: node … DIR FILE...
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const [dir, ...files] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
let n = 0;
for (const file of files) {
  const doc = parse(readFileSync(file, "utf8"));
  const steps = doc.runs?.steps ?? Object.values(doc.jobs ?? {}).flatMap((j) => j.steps ?? []);
  steps.forEach((s, i) => {
    if (typeof s.run === "string" && (s.shell === undefined || s.shell === "bash")) {
      writeFileSync(join(dir, `${file.replace(/[^A-Za-z0-9]+/g, "_")}-step${i + 1}.sh`), `#!/usr/bin/env bash\n${s.run}`);
      n++;
    }
  });
}
console.log(`extract-run: ${n} bash scripts`);
