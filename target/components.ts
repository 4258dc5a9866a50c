// The kernel's optional components, read from the one table that says what they are:
// kernel/components.mk (the Makefile includes the same file). A component has sources, the
// components it needs, extra compiler flags and a line of description; minnow.json's
// "components" names some, and the build links them with everything they need.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MinnowError } from './errors';

export interface Component {
  name: string;
  /** wildcard patterns relative to kernel/, or under $(LWIP_DIR) (lwIP's sources in the user's cache) */
  srcs: string[];
  needs: string[];
  cflags: string[];
  about: string;
}

export const COMPONENTS_TABLE = 'components.mk';

const FIELDS = ['srcs', 'needs', 'cflags', 'about'] as const;

/** Parses the text of components.mk. Throws on a line it does not understand (a broken table is a bug). */
export function parseComponents(text: string): Component[] {
  const order: string[] = [];
  const fields = new Map<string, Partial<Record<(typeof FIELDS)[number], string>>>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const listed = /^ALL_COMPONENTS \+= ([a-z0-9_]+)$/.exec(line);
    if (listed) {
      order.push(listed[1]);
      fields.set(listed[1], {});
      continue;
    }
    const field = /^([a-z0-9_]+)\.(srcs|needs|cflags|about) :=\s*(.*)$/.exec(line);
    const entry = field && fields.get(field[1]);
    if (!field || !entry) throw new Error(`${COMPONENTS_TABLE}:${i + 1}: cannot read "${line}"`);
    entry[field[2] as (typeof FIELDS)[number]] = field[3];
  }
  const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter((w) => w !== '');
  return order.map((name) => {
    const f = fields.get(name)!;
    return { name, srcs: words(f.srcs), needs: words(f.needs), cflags: words(f.cflags), about: f.about ?? '' };
  });
}

const cache = new Map<string, Component[]>();

/** The components of the kernel sources in `kernelDir`. */
export function loadComponents(kernelDir: string): Component[] {
  let table = cache.get(kernelDir);
  if (!table) {
    const file = join(kernelDir, COMPONENTS_TABLE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new MinnowError(
        `cannot read the kernel's components table ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        'The kernel folder is incomplete: reinstall the Minnow extension (or, in a Minnow checkout, git checkout kernel/).',
        'path',
      );
    }
    table = parseComponents(text);
    cache.set(kernelDir, table);
  }
  return table;
}

/** `wanted` and everything it needs, in table order. Throws MinnowError naming an unknown one. */
export function resolveComponents(wanted: readonly string[], table: readonly Component[], where = 'components'): string[] {
  const byName = new Map(table.map((c) => [c.name, c]));
  const out = new Set<string>();
  const visit = (name: string, from: string) => {
    const c = byName.get(name);
    if (!c) {
      throw new MinnowError(`${from} names "${name}", which is not a kernel component`, `Use one of: ${table.map((t) => t.name).join(', ')}.`, 'manifest');
    }
    if (out.has(name)) return;
    out.add(name);
    for (const n of c.needs) visit(n, `component "${name}"`);
  };
  for (const w of wanted) visit(w, where);
  return table.map((c) => c.name).filter((n) => out.has(n));
}
