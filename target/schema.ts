// Validates minnow.json against schemas/minnow.schema.json — the same file that VS Code uses for
// completion — so the editor and the CLI can never disagree about what is valid. Only the subset
// of JSON Schema that the file uses is implemented: type, enum, pattern, required,
// additionalProperties: false, items, minItems, uniqueItems, minLength, minimum, maximum. Each problem names the
// field ("drivers[1]", "disk.image") and says how to fix it, from the schema's errorMessage when
// it has one.

import schemaJson from '../schemas/minnow.schema.json';

export interface SchemaNode {
  type?: string;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  minItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  errorMessage?: string;
}

export const MINNOW_SCHEMA = schemaJson as SchemaNode;

export interface SchemaProblem {
  /** The field, as a user would write it: "machine", "drivers[1]", "disk.image"; "" for the root. */
  field: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function join(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Levenshtein distance, for "did you mean" on misspelled field names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + cost);
      prev = tmp;
    }
  }
  return row[b.length];
}

function closest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(key, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function fixFor(node: SchemaNode, fallback: string): string {
  return node.errorMessage ?? fallback;
}

function check(node: SchemaNode, value: unknown, field: string, out: SchemaProblem[]): void {
  const name = field || 'minnow.json';
  const actual = typeOf(value);
  if (node.type && actual !== node.type && !(node.type === 'number' && actual === 'integer')) {
    const example = node.default !== undefined ? ` such as ${show(node.default)}` : '';
    out.push({
      field,
      message: `"${name}" must be ${article(node.type)}, not ${article(actual)}`,
      fix: fixFor(node, `Write ${article(node.type)}${example}.`),
    });
    return;
  }
  if (node.enum && !node.enum.includes(value)) {
    const allowed = node.enum.map((e) => String(e)).join(', ');
    out.push({
      field,
      message: `"${name}" is ${show(value)}, which is not one of: ${allowed}`,
      fix: `Use one of: ${allowed}.`,
    });
    return;
  }
  if (typeof value === 'number') {
    if ((node.minimum !== undefined && value < node.minimum) || (node.maximum !== undefined && value > node.maximum)) {
      out.push({
        field,
        message: `"${name}" is ${value}, outside ${node.minimum ?? '-∞'}..${node.maximum ?? '∞'}`,
        fix: fixFor(node, `Use a number from ${node.minimum ?? '-∞'} to ${node.maximum ?? '∞'}.`),
      });
    }
    return;
  }
  if (typeof value === 'string') {
    if (node.minLength !== undefined && value.length < node.minLength) {
      out.push({ field, message: `"${name}" is empty`, fix: fixFor(node, 'Give it a value.') });
    } else if (node.pattern && !new RegExp(node.pattern).test(value)) {
      out.push({
        field,
        message: `"${name}" has an invalid value ${show(value)}`,
        fix: fixFor(node, `Match the pattern ${node.pattern}.`),
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    if (node.minItems !== undefined && value.length < node.minItems) {
      out.push({
        field,
        message: `"${name}" needs at least ${node.minItems} element${node.minItems === 1 ? '' : 's'}`,
        fix: fixFor(node, 'Add the missing elements.'),
      });
    }
    if (node.uniqueItems) {
      const seen = new Set<string>();
      value.forEach((v, i) => {
        const k = JSON.stringify(v);
        if (seen.has(k)) {
          out.push({ field: join(field, i), message: `"${join(field, i)}" repeats ${show(v)}`, fix: 'Remove the duplicate.' });
        }
        seen.add(k);
      });
    }
    if (node.items) {
      const items = node.items;
      value.forEach((v, i) => check(items, v, join(field, i), out));
    }
    return;
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = node.properties ?? {};
    for (const req of node.required ?? []) {
      if (!(req in obj)) {
        const p = props[req];
        const why = p?.description ? ` (${p.description})` : '';
        out.push({
          field: join(field, req),
          message: `"${join(field, req)}" is missing${why}`,
          fix: `Add "${req}"${p?.errorMessage ? ': ' + p.errorMessage : '.'}`,
        });
      }
    }
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p) {
        check(p, v, join(field, k), out);
      } else if (node.additionalProperties === false) {
        const guess = closest(k, Object.keys(props).filter((x) => x !== '$schema'));
        out.push({
          field: join(field, k),
          message: `"${join(field, k)}" is not a known field`,
          fix: guess ? `Did you mean "${guess}"? Rename it.` : `Remove it; known fields: ${Object.keys(props).filter((x) => x !== '$schema').join(', ')}.`,
        });
      }
    }
  }
}

/** All problems of a parsed minnow.json, in document order; empty when valid. */
export function validateManifest(value: unknown, schema: SchemaNode = MINNOW_SCHEMA): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  check(schema, value, '', out);
  return out;
}
