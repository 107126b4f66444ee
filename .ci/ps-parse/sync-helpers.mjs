// Copies the master helper region (templates/common/helpers.ps1) into every template that carries the region
// markers. Run after editing helpers.ps1: `node .ci/ps-parse/sync-helpers.mjs`. TemplateFilesTest checks the result.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');
const master = fs.readFileSync(path.join(root, 'common/helpers.ps1'), 'utf8').replace(/\r\n?/g, '\n').replace(/\n+$/, '');
const region = /^#region azrdpfix-helpers\n[\s\S]*?^#endregion azrdpfix-helpers$/m;
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ps1') ? [path.join(d, e.name)] : []);
for (const file of walk(root)) {
  if (file.endsWith(path.join('common', 'helpers.ps1'))) continue;
  const text = fs.readFileSync(file, 'utf8');
  if (!region.test(text)) continue;
  const next = text.replace(region, () => master);
  if (next !== text) { fs.writeFileSync(file, next); console.log('synced ' + path.relative(root, file)); }
}
