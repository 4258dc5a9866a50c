// Where Minnow's own files are: the kernel sources that every application is built with, and
// the examples that `minnow new` copies. Both sit at the top of the repository, which is also the
// layout inside the installed extension (dist/ next to kernel/ and examples/), so they are found
// by walking up from this module: from dist/cli.js when bundled, from target/ under
// tsx.

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MinnowError } from './errors';

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The nearest folder at or above `from` for which `test` holds, or undefined. */
function findUp(from: string, test: (dir: string) => boolean): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (test(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The Minnow installation root (the folder holding kernel/ and examples/), or undefined. */
export function minnowRoot(): string | undefined {
  return findUp(__dirname, (d) => existsSync(join(d, 'kernel', 'Makefile')) || (isDir(join(d, 'kernel')) && isDir(join(d, 'examples'))));
}

/**
 * The kernel source folder (it holds the Makefile of the build contract). Precedence: the
 * `override` argument (a launch attribute or CLI option), then env MINNOW_KERNEL, then kernel/
 * of the installation.
 */
export function kernelDir(override?: string): string {
  const chosen = override || process.env.MINNOW_KERNEL;
  if (chosen) {
    const abs = resolve(chosen);
    if (!existsSync(join(abs, 'Makefile'))) {
      const from = override ? 'the kernelDir option' : 'MINNOW_KERNEL';
      throw new MinnowError(`${abs} (from ${from}) has no Makefile, so it is not a Minnow kernel folder`, `Point ${from} at the kernel/ folder of a Minnow checkout, or unset it.`, 'path');
    }
    return abs;
  }
  const root = minnowRoot();
  if (!root) {
    throw new MinnowError(`cannot find the Minnow kernel sources near ${__dirname}`, 'Set MINNOW_KERNEL to the kernel/ folder of a Minnow checkout.', 'path');
  }
  return join(root, 'kernel');
}

/** The examples folder (templates for `minnow new`). */
export function examplesDir(): string {
  const root = minnowRoot();
  if (!root || !isDir(join(root, 'examples'))) {
    throw new MinnowError(`cannot find Minnow's examples folder near ${__dirname}`, 'Reinstall Minnow, or run the CLI from a Minnow checkout.', 'path');
  }
  return join(root, 'examples');
}
