// Writes the component names of kernel/components.mk into schemas/minnow.schema.json (the enums
// of "components" and "drivers"), so that the table stays the one place a component is added.
// Run by scripts/build.mjs; rewrites the schema only when the names changed. `--check` exits 1
// instead of writing (the unit suite's test uses the same comparison).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadComponents } from '../target/components';

const root = join(__dirname, '..');
const schemaPath = join(root, 'schemas', 'minnow.schema.json');

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
  const text = readFileSync(schemaPath, 'utf8');
  const next = syncedSchema(text, names);
  if (next !== text) {
    if (process.argv.includes('--check')) {
      console.error('schemas/minnow.schema.json does not list the components of kernel/components.mk: run npm run build');
      process.exit(1);
    }
    writeFileSync(schemaPath, next);
    console.log('schemas/minnow.schema.json: component names from kernel/components.mk');
  }
}
