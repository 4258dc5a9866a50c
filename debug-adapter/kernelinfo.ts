// The custom request `minnow/kernelInfo`: the data of the extension's Kernel view, read from the
// kernel's own plain-data tables through gdb (thread_all in kernel/include/kernel/thread.h, the
// heap's counters in core/heap.c, virtio_devices in kernel/include/kernel/virtio.h). Each part is
// a small gdb script, so a kernel without a part (no virtio linked) still gives the others.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GdbSession } from './gdb';

export interface KernelThreadInfo {
  id: number;
  name: string;
  state: string;
  waitReason?: string;
  stackUsed: number;
  stackSize: number;
}

export interface KernelInfo {
  threads: KernelThreadInfo[];
  heap?: { arenas: number; arenaBytes: number; usedBytes: number; usedBlocks: number; freeBytes: number; freeBlocks: number };
  devices: { name: string; deviceId: number; claimed: boolean; irqCount: number }[];
  /** what could not be read, e.g. "devices: No symbol virtio_devices" */
  missing: string[];
}

// enum thread_state in kernel/include/kernel/thread.h
const STATES = ['ready', 'running', 'sleeping', 'blocked', 'dead'];

const SCRIPTS = {
  threads: `set $t = thread_all
while $t != 0
  if $t->state == 1
    set $sp = $rsp
  else
    set $sp = $t->ctx.rsp
  end
  printf "T\\t%d\\t%s\\t%d\\t%lu\\t%lu\\t%lu\\n", $t->id, $t->name, (int)$t->state, (unsigned long)$t->stack_base, (unsigned long)$t->stack_top, (unsigned long)$sp
  if $t->wait_reason != 0
    printf "W\\t%d\\t%s\\n", $t->id, $t->wait_reason
  end
  set $t = $t->all_next
end
`,
  heap: `set $n = 0
set $nb = 0
set $a = heap_arenas
while $a != 0
  set $n = $n + 1
  set $nb = $nb + $a->size
  set $a = $a->next
end
set $f = 0
set $fb = 0
set $b = heap_free_list
while $b != 0
  set $f = $f + 1
  set $fb = $fb + ($b->size & ~3)
  set $b = $b->next_free
end
printf "H\\t%lu\\t%lu\\t%lu\\t%lu\\t%lu\\t%lu\\n", (unsigned long)$n, (unsigned long)$nb, (unsigned long)heap_used_bytes, (unsigned long)heap_used_blocks, (unsigned long)$fb, (unsigned long)$f
`,
  devices: `set $d = virtio_devices
while $d != 0
  printf "D\\t%s\\t%u\\t%d\\t%lu\\n", $d->name, $d->device_id, (int)$d->claimed, (unsigned long)$d->irq_count
  set $d = $d->next
end
`,
};

let scriptDir: string | undefined;

function scriptPath(name: keyof typeof SCRIPTS): string {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'minnow-kinfo-'));
  const p = join(scriptDir, `${name}.gdb`);
  writeFileSync(p, SCRIPTS[name]);
  return p;
}

export async function kernelInfo(gdb: GdbSession): Promise<KernelInfo> {
  const info: KernelInfo = { threads: [], devices: [], missing: [] };
  for (const part of Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[]) {
    let text: string;
    try {
      text = await gdb.cli(`source ${scriptPath(part)}`, { timeoutMs: 15_000 });
    } catch (e) {
      info.missing.push(`${part}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const line of text.split('\n')) {
      const f = line.split('\t');
      if (f[0] === 'T' && f.length >= 7) {
        const base = Number(f[4]);
        const top = Number(f[5]);
        const sp = Number(f[6]);
        info.threads.push({
          id: Number(f[1]),
          name: f[2],
          state: STATES[Number(f[3])] ?? `state ${f[3]}`,
          stackUsed: sp >= base && sp <= top ? top - sp : 0,
          stackSize: top - base,
        });
      } else if (f[0] === 'W') {
        const t = info.threads.find((x) => x.id === Number(f[1]));
        if (t) t.waitReason = f[2];
      } else if (f[0] === 'H' && f.length >= 7) {
        const n = f.slice(1).map(Number);
        info.heap = { arenas: n[0], arenaBytes: n[1], usedBytes: n[2], usedBlocks: n[3], freeBytes: n[4], freeBlocks: n[5] };
      } else if (f[0] === 'D' && f.length >= 5) {
        info.devices.push({ name: f[1], deviceId: Number(f[2]), claimed: f[3] === '1', irqCount: Number(f[4]) });
      }
    }
  }
  return info;
}
