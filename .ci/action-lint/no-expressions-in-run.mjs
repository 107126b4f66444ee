// Fails when a `run:` script in an action or workflow contains a `${{ }}` expression: values must reach the shell
// through `env:` (https://docs.github.com/en/actions/concepts/security/script-injections). Usage: node … FILE...
import { readFileSync } from "node:fs";
import { parse } from "yaml";

let bad = 0;
function visit(node, file, path) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => visit(n, file, `${path}[${i}]`));
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "run" && typeof v === "string" && /\$\{\{/.test(v)) {
        console.error(`${file}: ${path}.run contains a \${{ }} expression; pass the value through env:`);
        bad++;
      }
      visit(v, file, `${path}.${k}`);
    }
  }
}
for (const file of process.argv.slice(2)) visit(parse(readFileSync(file, "utf8")), file, "");
process.exit(bad ? 1 : 0);
