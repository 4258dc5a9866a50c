// Threads and stack frames. Threads are the kernel's threads as gdb lists them (the stub names
// them and adds "state: wait reason" as extra info); frames get ids that stay valid until the
// kernel resumes. Everything cached here is dropped on resume (`invalidate`).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import { GdbError, mi, type GdbSession, type MiFrame, type MiThread } from './gdb';

const MAX_DEPTH = 1000;

export interface FrameRef {
  thread: number;
  level: number;
  frame: MiFrame;
}

export class Stack {
  private nextFrameId = 1;
  private readonly frames = new Map<number, FrameRef>();
  private readonly depth = new Map<number, number>();
  /** Threads stopped by a data breakpoint: x86 reports those after the accessing instruction. */
  private readonly dataStops = new Set<number>();
  private threadCache?: MiThread[];
  /**
   * This stop's thread list (or the question in flight): a workbench asks for the threads two or
   * three times per stop, and each -thread-info reads every thread through the stub.
   */
  private threadsAtStop?: Promise<{ threads: MiThread[] }>;

  constructor(private gdb: GdbSession) {}

  reset(gdb: GdbSession): void {
    this.gdb = gdb;
    this.invalidate();
    this.threadCache = undefined;
  }

  invalidate(): void {
    this.frames.clear();
    this.depth.clear();
    this.dataStops.clear();
    this.nextFrameId = 1;
    this.threadsAtStop = undefined;
  }

  /**
   * The thread stopped on a data breakpoint. Debug-register watchpoints trap after the access,
   * so the pc already points past the writing (or reading) instruction, often on the next line;
   * its top frame is shown at the line of the access itself (the instruction ending at pc).
   */
  markDataStop(thread: number): void {
    this.dataStops.add(thread);
  }

  /** The kernel's threads, named "name (state)"; while running, the last list known. */
  async threads(): Promise<DebugProtocol.Thread[]> {
    if (!this.gdb.running || !this.threadCache) {
      const asked = this.gdb.running ? mi.threadInfo(this.gdb) : (this.threadsAtStop ??= mi.threadInfo(this.gdb));
      try {
        this.threadCache = (await asked).threads;
      } catch (e) {
        if (this.threadsAtStop === asked) this.threadsAtStop = undefined;
        if (!this.threadCache) throw e;
      }
    }
    const list = this.threadCache ?? [];
    if (list.length === 0) return [{ id: 1, name: 'main' }];
    return list.map((t) => ({ id: t.id, name: threadName(t) }));
  }

  async stackTrace(args: DebugProtocol.StackTraceArguments): Promise<{ stackFrames: DebugProtocol.StackFrame[]; totalFrames?: number }> {
    const start = args.startFrame ?? 0;
    const levels = args.levels && args.levels > 0 ? args.levels : 64;
    let frames: MiFrame[];
    try {
      frames = await mi.stackListFrames(this.gdb, args.threadId, start, start + levels - 1);
    } catch (e) {
      // a page that starts past the outermost frame
      if (e instanceof GdbError && /not enough frames/i.test(e.message)) return { stackFrames: [], totalFrames: start };
      throw e;
    }
    if (start === 0 && frames.length > 0 && this.dataStops.has(args.threadId)) {
      frames[0] = await this.atAccess(frames[0]);
    }
    const out = frames.map((f) => this.toDap(args.threadId, f));
    // totalFrames exact, so the client never asks for a page past the end: a short page tells,
    // a full one needs gdb to count (bounded: a corrupt stack must not unwind forever)
    let total = this.depth.get(args.threadId);
    if (total === undefined) {
      total = frames.length < levels ? start + frames.length : await mi.stackInfoDepth(this.gdb, args.threadId, MAX_DEPTH).catch(() => start + frames.length);
      this.depth.set(args.threadId, total);
    }
    return { stackFrames: out, totalFrames: total };
  }

  /** The frame moved to the source line of the instruction just before its pc, if in the same file. */
  private async atAccess(f: MiFrame): Promise<MiFrame> {
    if (!f.addr || !f.fullname) return f;
    try {
      const pc = BigInt(f.addr);
      const insns = await mi.disassemble(this.gdb, `0x${(pc - 1n).toString(16)}`, `0x${pc.toString(16)}`);
      const line = insns.find((i) => i.line !== undefined && i.fullname === f.fullname)?.line;
      return line !== undefined ? { ...f, line } : f;
    } catch {
      return f;
    }
  }

  frame(id: number): FrameRef | undefined {
    return this.frames.get(id);
  }

  private toDap(thread: number, f: MiFrame): DebugProtocol.StackFrame {
    const id = this.nextFrameId++;
    this.frames.set(id, { thread, level: f.level, frame: f });
    const path = f.fullname;
    return {
      id,
      name: f.func ?? f.addr ?? '??',
      source: path ? { name: basename(path), path } : undefined,
      line: f.line ?? 0,
      column: 0,
      instructionPointerReference: f.addr,
      presentationHint: path ? 'normal' : 'subtle',
    };
  }
}

/**
 * "worker-1 (blocked: wait queue rxq)" from the stub's thread name and extra info; with several
 * CPUs the CPU comes right after the name, where a glance down the Call Stack finds it:
 * "worker · CPU 2 (running)", "netrx · CPU 0 (blocked: wait queue rxq)". The kernel's stub
 * ends its extra info with "on cpu N" (the CPU it runs on, or whose scheduler runs it) and gives
 * gdb the same number as the thread's core; a one-CPU kernel says neither. QEMU's own stub names
 * its threads after the CPU already ("CPU#1 [running]") and is left as it is.
 */
export function threadName(t: MiThread): string {
  const name = t.name ?? t.targetId;
  let details = t.details ?? (t.state === 'running' ? undefined : t.state);
  let cpu = t.core;
  const where = details ? /^(.*?) ?on cpu (\d+)$/.exec(details) : null;
  if (where) {
    details = where[1] || undefined;
    cpu = Number(where[2]);
  }
  if (cpu === undefined || /CPU#\d/.test(details ?? '')) return details ? `${name} (${details})` : name;
  return `${name} · CPU ${cpu}${details ? ` (${details})` : ''}`;
}
