// Writes the component names of kernel/components.mk into schemas/minnow.schema.json (the enums
// of "components" and "drivers"), so that the table stays the one place a component is added.
// Run by scripts/build.mjs; rewrites the schema only when the names changed. `--check` exits 1
// instead of writing (the unit suite's test uses the same comparison).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadComponents } from '../target/components';

const root = join(__dirname, '..');
const schemaPath = join(root, 'schemas', 'minnow.schema.json');

/** The schema's text with the enums set to the table's names (unchanged text when they agree). */
export function syncedSchema(schemaText: string, names: string[]): string {
  const schema = JSON.parse(schemaText);
  let changed = false;
  for (const key of ['components', 'drivers']) {
    const items = schema.properties[key].items;
    if (JSON.stringify(items.enum) !== JSON.stringify(names)) {
      items.enum = names;
      changed = true;
    }
  }
  if (!changed) return schemaText;
  // the file's own style: two spaces, enums on one line
  return JSON.stringify(schema, null, 2).replace(/"enum": \[\s*([^\]]*?)\s*\]/g, (_, list: string) => `"enum": [${list.split(/,\s*/).join(', ')}]`) + '\n';
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
