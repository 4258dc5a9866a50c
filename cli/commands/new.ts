// `minnow new <template> <dir>`: start an application from one of the examples. The template's
// files are copied (not its build/ folder), and "name" in minnow.json becomes the new folder's
// name when that is a valid application name. A folder that exists and is not empty is refused,
// so nothing is ever overwritten.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { examplesDir, MANIFEST, MinnowError, MINNOW_SCHEMA } from '../../target';
import { parseArgs, UsageError, type Specs } from '../args';
import type { Io } from '../io';

export const NEW_USAGE = 'minnow new <template> <dir>';
export const NEW_SPECS: Specs = {};

export interface Template {
  name: string;
  description: string;
  dir: string;
}

/** The examples that have a minnow.json, sorted by name. */
export function listTemplates(root = examplesDir()): Template[] {
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, MANIFEST)))
    .sort()
    .map((n) => {
      let description = '';
      try {
        description = String(JSON.parse(readFileSync(join(root, n, MANIFEST), 'utf8')).description ?? '');
      } catch {
        description = '(its minnow.json is not valid JSON)';
      }
      return { name: n, description, dir: join(root, n) };
    });
}

export function templateList(templates: Template[]): string {
  const w = Math.max(0, ...templates.map((t) => t.name.length));
  return templates.map((t) => `  ${t.name.padEnd(w)}  ${t.description}`).join('\n');
}

// Build output and generated disk images (examples/blk creates disk.img on its first run).
const SKIP = new Set(['build', 'node_modules', '.git']);
const skipped = (name: string): boolean => SKIP.has(name) || name.endsWith('.img');

export async function newCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, NEW_SPECS, 'new');
  const templates = listTemplates();
  if (p.positionals.length !== 2) {
    throw new UsageError(`"minnow new" needs a template and a folder`, `Usage: ${NEW_USAGE}, with one of these templates:\n${templateList(templates)}`);
  }
  const [name, dest] = p.positionals;
  const t = templates.find((x) => x.name === name);
  if (!t) {
    throw new MinnowError(`unknown template "${name}"`, `Use one of these:\n${templateList(templates)}`, 'usage');
  }
  const target = resolve(dest);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new MinnowError(`${dest} exists and is not a folder`, 'Choose a new folder name.', 'usage');
    }
    if (readdirSync(target).length > 0) {
      throw new MinnowError(`${dest} is not empty; minnow new never overwrites files`, 'Choose a new or empty folder.', 'usage');
    }
  }
  mkdirSync(target, { recursive: true });
  cpSync(t.dir, target, {
    recursive: true,
    filter: (src) => src === t.dir || !skipped(basename(src)),
  });
  renameApp(join(target, MANIFEST), basename(target));
  const shown = relative(process.cwd(), target) || '.';
  io.err(`minnow: created ${shown} from the ${t.name} template\n`);
  io.out(`Next:\n  cd ${shown}\n  minnow run\n`);
  return 0;
}

/** Sets "name" to the folder's name when that is a valid application name. */
function renameApp(manifest: string, folder: string): void {
  const pattern = MINNOW_SCHEMA.properties?.name?.pattern;
  if (!pattern || !new RegExp(pattern).test(folder)) return;
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  if (json.name === folder) return;
  json.name = folder;
  writeFileSync(manifest, JSON.stringify(json, null, 2) + '\n');
}
