// Writes what the project's tables say into the JSON files VS Code reads: the component names of
// kernel/components.mk into schemas/minnow.schema.json (the enums of "components" and "drivers"),
// and the launch attributes of debug-adapter/attributes.ts into package.json's debugger schema
// (contributes.debuggers[minnow].configurationAttributes), so that each table stays the one place
// a component or an attribute is added. Run by scripts/build.mjs; rewrites a file only when it
// changed. `--check` exits 1 instead of writing (the unit suite's tests use the same comparisons).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadComponents } from '../target/components';
import { schemaFor } from '../debug-adapter/attributes';

const root = join(__dirname, '..');
const schemaPath = join(root, 'schemas', 'minnow.schema.json');
const packagePath = join(root, 'package.json');

/** package.json's text with the minnow debugger's configurationAttributes from the table. */
export function syncedPackage(packageText: string): string {
  const pkg = JSON.parse(packageText) as { contributes: { debuggers: Array<{ type: string; configurationAttributes?: unknown }> } };
  const dbg = pkg.contributes.debuggers.find((d) => d.type === 'minnow');
  if (!dbg) throw new Error('package.json contributes no "minnow" debugger');
  dbg.configurationAttributes = { launch: schemaFor('launch'), attach: schemaFor('attach') };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * The schema's text with the enums of "components" and "drivers" set to the table's names. Only
 * those two lines change, so the rest of the file keeps its hand-written layout; the text is
 * returned unchanged when they already agree.
 */
export function syncedSchema(schemaText: string, names: string[]): string {
  let text = schemaText;
  const list = `[${names.map((n) => JSON.stringify(n)).join(', ')}]`;
  for (const key of ['components', 'drivers']) {
    const at = text.indexOf(`"${key}": {`);
    if (at < 0) throw new Error(`schemas/minnow.schema.json has no "${key}" property`);
    const enumAt = text.indexOf('"enum": [', at);
    const close = text.indexOf(']', enumAt);
    text = text.slice(0, enumAt) + `"enum": ${list}` + text.slice(close + 1);
  }
  JSON.parse(text); // still JSON
  return text;
}

if (require.main === module) {
  const names = loadComponents(join(root, 'kernel')).map((c) => c.name);
  const files: Array<[string, (text: string) => string, string]> = [
    [schemaPath, (t) => syncedSchema(t, names), 'component names from kernel/components.mk'],
    [packagePath, syncedPackage, 'launch attributes from debug-adapter/attributes.ts'],
  ];
  for (const [path, sync, what] of files) {
    const text = readFileSync(path, 'utf8');
    const next = sync(text);
    if (next === text) continue;
    const rel = path.slice(root.length + 1);
    if (process.argv.includes('--check')) {
      console.error(`${rel} is out of date (${what}): run npm run build`);
      process.exit(1);
    }
    writeFileSync(path, next);
    console.log(`${rel}: ${what}`);
  }
}
