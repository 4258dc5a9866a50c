// Finding source lines for tests, in one way. A test application marks each line a test stops at
// with a `// #NAME` comment (NAME: letters, digits, - and _), and tests ask for the marker, never
// for a line number, so that editing the application moves no test. Sources a test cannot mark
// (the kernel's own, as an installed extension ships them) are found by a piece of their text,
// optionally after an anchor line (the function that holds it).

import { readFileSync } from 'node:fs';

/** The 1-based line of `// #name` in `file`; throws naming the file when it is not there. */
export function marker(file: string, name: string): number {
  const re = new RegExp(`//\\s*#${name.replace(/[-]/g, '\\-')}(?![\\w-])`);
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no marker // #${name} in ${file}`);
  return i + 1;
}

/** The 1-based line of the first line holding `text` (after the line holding `after`, if given). */
export function lineOf(file: string, text: string, after?: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  if (start < 0) throw new Error(`"${after}" not in ${file}`);
  const i = lines.findIndex((l, n) => n >= start && l.includes(text));
  if (i < 0) throw new Error(`"${text}" not in ${file}${after === undefined ? '' : ` after "${after}"`}`);
  return i + 1;
}
