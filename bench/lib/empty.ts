// Assembles and links bench/empty/empty.S (the PVH ELF that exits at its entry) with as and ld.

import * as path from 'node:path';
import { REPO, type Context } from './context';
import { runTimed } from './proc';

async function tool(cmd: string, args: string[]): Promise<void> {
  const r = await runTimed(cmd, args, 60_000);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}): ${r.stderr}`);
}

let elf: Promise<string> | undefined;

export function buildEmptyElf(ctx: Context): Promise<string> {
  elf ??= (async () => {
    const src = path.join(REPO, 'bench', 'empty');
    const obj = path.join(ctx.tmp, 'empty.o');
    const out = path.join(ctx.tmp, 'empty.elf');
    await tool('as', ['--64', path.join(src, 'empty.S'), '-o', obj]);
    await tool('ld', ['-m', 'elf_x86_64', '-nostdlib', '-static', '-no-pie', '-z', 'max-page-size=0x1000', '-z', 'noexecstack', '-T', path.join(src, 'empty.ld'), '-o', out, obj]);
    return out;
  })();
  return elf;
}
