// The custom request `minnow/kernelInfo`: the data of the extension's Kernel view, read from the
// kernel's own plain-data tables through gdb (thread_all, each thread's CPU and its stack_low
// high-water mark in kernel/include/kernel/thread.h, the CPUs' percpu_cpus[percpu_count] in
// kernel/include/kernel/percpu.h, heap_stats in kernel/include/kernel/heap.h,
// virtio_devices in kernel/include/kernel/virtio.h, the descriptor table fd_table in
// kernel/include/kernel/file.h, the mount table vfs_mounts in kernel/include/kernel/vfs.h, and
// through netinfo.ts the socket table net_socks and the interface net_iface0 in
// kernel/include/kernel/net.h). Each part is a small gdb script, so a kernel without a part (no
// virtio linked, no "net" component) still gives the others.
// The scripts only read: their convenience variables are all $k_*, because $sp, $pc, $fp and $ps
// are registers in gdb and `set $sp = ...` would move the selected thread's stack pointer.
// stack_low is lowered at each switch away, so the thread on the CPU may be deeper than it says:
// the selected thread's live rsp counts for whichever thread's stack holds it, and so does the
// rsp of each running thread on a CPU the stub parked (percpu.gdb_frame, the registers it was
// stopped with; 1 in the script is THREAD_RUNNING).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mi, type GdbSession } from './gdb';
import { readIface, readSockets, symbolAbsent, type KernelIfaceInfo, type KernelSocketInfo } from './netinfo';

export type { KernelIfaceInfo, KernelSocketInfo };

export interface KernelThreadInfo {
  /** the DAP (gdb) thread id, as in the threads request */
  id: number;
  /** the kernel's own thread id (struct thread.id, the stub's thread id) */
  kernelId: number;
  name: string;
  state: string;
  waitReason?: string;
  /** the peak: stack_top - stack_low (the kernel's high-water mark), bytes */
  stackUsed: number;
  stackSize: number;
  /** struct thread.cpu: the CPU whose scheduler runs it */
  cpu: number;
  /** struct thread.on_cpu: the CPU it last ran on (where it runs, when running) */
  onCpu: number;
}

/** One CPU: percpu_cpus[i] (kernel/include/kernel/percpu.h). */
export interface KernelCpuInfo {
  id: number;
  /** its local APIC's id */
  apicId: number;
  /** started and scheduling */
  online: boolean;
  /** the DAP thread id of the thread running on it (percpu.current) */
  current?: number;
  /** the DAP thread id of its idle thread */
  idle?: number;
  /** trap handlers running on it: 1 while stopped (the breakpoint's trap, or the NMI that
   *  parked it), more when it stopped inside an interrupt or fault handler */
  trapDepth: number;
  /** context switches done on it */
  switches: number;
  /** wake-ups other CPUs sent it by IPI */
  wakeIpis: number;
  /** device interrupts it took (device_irq_cpu() chooses which CPU a device interrupts) */
  irqs: number;
}

/** One open descriptor: fd_table[fd] (kernel/include/kernel/file.h). */
export interface KernelFileInfo {
  fd: number;
  /** file_ops.kind: "socket", "9p", "fat", "ramfs", "console" */
  kind: string;
  /** struct file.label: a path, or "tcp 10.0.2.15:80" */
  label: string;
  refs: number;
  /** O_ACCMODE | O_APPEND | O_NONBLOCK */
  flags: number;
  /** struct file.offset: where the next read or write goes */
  offset: number;
}

/** One used slot of the mount table: vfs_mounts[i] (kernel/include/kernel/vfs.h). */
export interface KernelMountInfo {
  /** the guest path it is mounted on: "/", "/www" */
  path: string;
  /** fs_ops.name: "ramfs", "9p", "fat" */
  fs: string;
  /** struct mount.source: "ramfs", "9p tag m0", "fat16 virtio-blk0" */
  source: string;
  readOnly: boolean;
  /** files opened through it so far */
  opens: number;
  /** the host folder or image behind it, from the launched application's minnow.json */
  host?: string;
}

/** Guest path → host folder or image, for the mounts a launch asked for. */
export type MountHosts = Record<string, string>;

export interface KernelInfo {
  threads: KernelThreadInfo[];
  /** every CPU found at boot; one entry on a one-CPU kernel */
  cpus: KernelCpuInfo[];
  files: KernelFileInfo[];
  mounts: KernelMountInfo[];
  heap?: { arenas: number; arenaBytes: number; usedBytes: number; usedBlocks: number; freeBytes: number; freeBlocks: number; peakUsedBytes: number };
  devices: { name: string; deviceId: number; claimed: boolean; irqCount: number }[];
  /** net_socks (kernel/include/kernel/net.h); undefined when the kernel has no "net" component */
  sockets?: KernelSocketInfo[];
  /** sockets past NET_SOCK_MAX, not in `sockets` (absent when all fit) */
  socketsUnlisted?: number;
  /** net_iface0; undefined when the kernel has no "net" component */
  iface?: KernelIfaceInfo;
  /** what could not be read, e.g. "devices: No symbol virtio_devices" */
  missing: string[];
}

// enum thread_state in kernel/include/kernel/thread.h
const STATES = ['ready', 'running', 'sleeping', 'blocked', 'dead'];

const SCRIPTS = {
  threads: `set $k_t = thread_all
while $k_t != 0
  set $k_low = $k_t->stack_low
  if (unsigned long)$rsp >= (unsigned long)$k_t->stack_base && (unsigned long)$rsp < (unsigned long)$k_low
    set $k_low = $rsp
  end
  if (int)$k_t->state == 1
    if percpu_cpus[$k_t->on_cpu].gdb_frame != 0
      set $k_f = percpu_cpus[$k_t->on_cpu].gdb_frame->rsp
      if $k_f >= (unsigned long)$k_t->stack_base && $k_f < (unsigned long)$k_low
        set $k_low = $k_f
      end
    end
  end
  printf "T\\t%d\\t%s\\t%d\\t%lu\\t%lu\\t%lu\\t%d\\t%d\\n", $k_t->id, $k_t->name, (int)$k_t->state, (unsigned long)$k_t->stack_base, (unsigned long)$k_t->stack_top, (unsigned long)$k_low, $k_t->cpu, $k_t->on_cpu
  if $k_t->wait_reason != 0
    printf "W\\t%d\\t%s\\n", $k_t->id, $k_t->wait_reason
  end
  set $k_t = $k_t->all_next
end
`,
  cpus: `set $k_i = 0
while $k_i < percpu_count
  set $k_c = &percpu_cpus[$k_i]
  set $k_cur = -1
  if $k_c->current != 0
    set $k_cur = $k_c->current->id
  end
  set $k_idle = -1
  if $k_c->idle != 0
    set $k_idle = $k_c->idle->id
  end
  printf "C\\t%d\\t%u\\t%d\\t%d\\t%d\\t%d\\t%lu\\t%lu\\t%lu\\n", $k_c->id, $k_c->apic_id, (int)$k_c->online, $k_cur, $k_idle, $k_c->trap_depth, (unsigned long)$k_c->switches, (unsigned long)$k_c->wake_ipis, (unsigned long)$k_c->irqs
  set $k_i = $k_i + 1
end
`,
  heap: `printf "H\\t%lu\\t%lu\\t%lu\\t%lu\\t%lu\\t%lu\\t%lu\\n", (unsigned long)heap_stats.arenas, (unsigned long)heap_stats.arena_bytes, (unsigned long)heap_stats.used_bytes, (unsigned long)heap_stats.used_blocks, (unsigned long)heap_stats.free_bytes, (unsigned long)heap_stats.free_blocks, (unsigned long)heap_stats.peak_used_bytes
`,
  devices: `set $k_d = virtio_devices
while $k_d != 0
  printf "D\\t%s\\t%u\\t%d\\t%lu\\n", $k_d->name, $k_d->device_id, (int)$k_d->claimed, (unsigned long)$k_d->irq_count
  set $k_d = $k_d->next
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

/** Writes a gdb script for this call (its text depends on the kernel's state). */
function oneOffScript(name: string, text: string): string {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'minnow-kinfo-'));
  const p = join(scriptDir, `${name}.gdb`);
  writeFileSync(p, text);
  return p;
}

/**
 * The open descriptors. fd_table has FD_MAX slots, nearly all empty: one memory read of the
 * whole table finds the used ones (a gdb loop would cost a stub round trip per slot), then one
 * script prints those.
 */
async function readFiles(gdb: GdbSession): Promise<KernelFileInfo[]> {
  const size = Number(await mi.evaluate(gdb, 'sizeof(fd_table)'));
  const [block] = await mi.readMemory(gdb, '(char *)&fd_table', size);
  const bytes = Buffer.from(block?.contents ?? '', 'hex');
  const lines: string[] = [];
  for (let fd = 0; fd * 8 + 8 <= bytes.length; fd++) {
    const ptr = bytes.readBigUInt64LE(fd * 8);
    if (ptr === 0n) continue;
    const f = `((struct file *)0x${ptr.toString(16)})`;
    lines.push(`printf "F\\t%d\\t%s\\t%d\\t%d\\t%ld\\t%s\\n", ${fd}, ${f}->ops->kind, ${f}->refs, ${f}->flags, (long)${f}->offset, ${f}->label`);
  }
  if (lines.length === 0) return [];
  const text = await gdb.cli(`source ${oneOffScript('files', `${lines.join('\n')}\n`)}`, { timeoutMs: 15_000 });
  const files: KernelFileInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'F' && f.length >= 7) files.push({ fd: Number(f[1]), kind: f[2], refs: Number(f[3]), flags: Number(f[4]), offset: Number(f[5]), label: f.slice(6).join('\t') });
  }
  return files;
}

/**
 * The mount table, the same way: one memory read of vfs_mounts finds the used slots (a slot
 * whose path starts with a NUL is free), then one script prints them.
 */
async function readMounts(gdb: GdbSession, hosts: MountHosts): Promise<KernelMountInfo[]> {
  const size = Number(await mi.evaluate(gdb, 'sizeof(vfs_mounts)'));
  const slot = Number(await mi.evaluate(gdb, 'sizeof(vfs_mounts[0])'));
  const [block] = await mi.readMemory(gdb, '(char *)&vfs_mounts', size);
  const bytes = Buffer.from(block?.contents ?? '', 'hex');
  const lines: string[] = [];
  for (let i = 0; slot > 0 && (i + 1) * slot <= bytes.length; i++) {
    if (bytes[i * slot] === 0) continue;
    const m = `vfs_mounts[${i}]`;
    lines.push(`printf "M\\t%s\\t%d\\t%lu\\t%s\\t%s\\n", ${m}.ops->name, (int)${m}.read_only, (unsigned long)${m}.opens, ${m}.source, ${m}.path`);
  }
  if (lines.length === 0) return [];
  const text = await gdb.cli(`source ${oneOffScript('mounts', `${lines.join('\n')}\n`)}`, { timeoutMs: 15_000 });
  const mounts: KernelMountInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] !== 'M' || f.length < 6) continue;
    const path = f.slice(5).join('\t');
    mounts.push({ path, fs: f[1], readOnly: f[2] === '1', opens: Number(f[3]), source: f[4], host: hosts[path] });
  }
  return mounts;
}

export async function kernelInfo(gdb: GdbSession, hosts: MountHosts = {}): Promise<KernelInfo> {
  const info: KernelInfo = { threads: [], cpus: [], files: [], mounts: [], devices: [], missing: [] };
  for (const part of Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[]) {
    let text: string;
    try {
      text = await gdb.cli(`source ${scriptPath(part)}`, { timeoutMs: 15_000 });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // a kernel without that table (no virtio driver linked, no malloc ever called) has none
      if (!symbolAbsent(message)) info.missing.push(`${part}: ${message.split('\n').pop()}`);
      continue;
    }
    for (const line of text.split('\n')) {
      const f = line.split('\t');
      if (f[0] === 'T' && f.length >= 9) {
        const base = Number(f[4]);
        const top = Number(f[5]);
        const low = Number(f[6]);
        info.threads.push({
          id: Number(f[1]),
          kernelId: Number(f[1]),
          name: f[2],
          state: STATES[Number(f[3])] ?? `state ${f[3]}`,
          stackUsed: low >= base && low <= top ? top - low : 0,
          stackSize: top - base,
          cpu: Number(f[7]),
          onCpu: Number(f[8]),
        });
      } else if (f[0] === 'W') {
        const t = info.threads.find((x) => x.kernelId === Number(f[1]));
        if (t) t.waitReason = f[2];
      } else if (f[0] === 'C' && f.length >= 9) {
        const n = f.slice(1).map(Number);
        // thread ids are the kernel's here; made DAP ids below, with the threads'
        info.cpus.push({ id: n[0], apicId: n[1], online: n[2] === 1, current: n[3] >= 0 ? n[3] : undefined, idle: n[4] >= 0 ? n[4] : undefined, trapDepth: n[5], switches: n[6], wakeIpis: n[7], irqs: n[8] });
      } else if (f[0] === 'H' && f.length >= 8) {
        const n = f.slice(1).map(Number);
        info.heap = { arenas: n[0], arenaBytes: n[1], usedBytes: n[2], usedBlocks: n[3], freeBytes: n[4], freeBlocks: n[5], peakUsedBytes: n[6] };
      } else if (f[0] === 'D' && f.length >= 5) {
        info.devices.push({ name: f[1], deviceId: Number(f[2]), claimed: f[3] === '1', irqCount: Number(f[4]) });
      }
    }
  }
  try {
    info.files = await readFiles(gdb);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!symbolAbsent(message, 'fd_table')) info.missing.push(`files: ${message.split('\n').pop()}`);
  }
  try {
    info.mounts = await readMounts(gdb, hosts);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // a kernel without kernel/fs linked has no mount table
    if (!symbolAbsent(message, 'vfs_mounts')) info.missing.push(`mounts: ${message.split('\n').pop()}`);
  }
  // a kernel without the "net" component has neither table: readSockets/readIface say undefined
  try {
    const net = await readSockets(gdb);
    info.sockets = net?.sockets;
    if (net?.unlisted) info.socketsUnlisted = net.unlisted;
  } catch (e) {
    info.missing.push(`sockets: ${(e instanceof Error ? e.message : String(e)).split('\n').pop()}`);
  }
  try {
    info.iface = await readIface(gdb);
  } catch (e) {
    info.missing.push(`iface: ${(e instanceof Error ? e.message : String(e)).split('\n').pop()}`);
  }
  // gdb numbers threads in the order it met them; the stub names them "Thread <kernel id>"
  try {
    const byKernelId = new Map<number, number>();
    for (const t of (await mi.threadInfo(gdb)).threads) {
      const m = /^Thread (\d+)/.exec(t.targetId);
      if (m) byKernelId.set(Number(m[1]), t.id);
    }
    for (const t of info.threads) t.id = byKernelId.get(t.kernelId) ?? t.id;
    for (const c of info.cpus) {
      if (c.current !== undefined) c.current = byKernelId.get(c.current) ?? c.current;
      if (c.idle !== undefined) c.idle = byKernelId.get(c.idle) ?? c.idle;
    }
  } catch (e) {
    info.missing.push(`thread ids: ${e instanceof Error ? e.message : String(e)}`);
  }
  return info;
}
