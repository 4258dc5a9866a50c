// Breakpoints of every kind DAP has: source lines (with conditions, hit counts and logpoints),
// functions, instructions, data (hardware watchpoints) and the two exception filters. All of them
// can be changed while the kernel runs: gdb's all-stop mode needs a stopped target, so the change
// runs inside GdbSession.whileStopped (interrupt, change, continue) and the user sees no stop.
// The DAP-side specs are kept, so a restart can insert them all again. The exception filters are
// the kernel stub's business: it is told which exceptions to stop at (faults.ts, gdbstub_catch).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { setCatch } from './faults';
import { GdbError, mi, type GdbSession, type MiBreakpoint, type StoppedEvent } from './gdb';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: 'cpu',
    label: 'CPU exceptions',
    description: 'Stop at the faulting instruction on #DE, #UD, #GP, #PF... (SIGFPE, SIGILL, SIGSEGV)',
    default: true,
  },
  {
    filter: 'panic',
    label: 'panic / assert',
    description: 'Stop where panic() is called or an assert fails (SIGABRT)',
    default: true,
  },
];

const CPU_SIGNALS = new Set(['SIGSEGV', 'SIGFPE', 'SIGILL', 'SIGBUS']);

interface Entry {
  id: number;
  /** gdb's breakpoint number, when inserted */
  gdbNumber?: string;
  kind: 'source' | 'function' | 'instruction' | 'data';
  logMessage?: string;
  /** adapter-side hit counting for "%N" hit conditions */
  every?: number;
  /** "N" / "==N": gdb ignores the first N-1 hits, the adapter all after the Nth */
  once?: boolean;
  hits: number;
  /** what the client was last told: "verified:line:path" */
  seen?: string;
}

type Spec =
  | { kind: 'source'; path: string; bps: DebugProtocol.SourceBreakpoint[] }
  | { kind: 'function'; bps: DebugProtocol.FunctionBreakpoint[] }
  | { kind: 'instruction'; bps: DebugProtocol.InstructionBreakpoint[] }
  | { kind: 'data'; bps: DebugProtocol.DataBreakpoint[] };

/** What a stop means for the user, once breakpoints had their say. */
export type StopVerdict =
  | { action: 'report'; reason: string; description?: string; text?: string; hitBreakpointIds?: number[] }
  | { action: 'continue' }
  | { action: 'log'; entry: number; message: string };

export class Breakpoints {
  private nextId = 1;
  private readonly bySource = new Map<string, Entry[]>();
  private readonly byKind = new Map<'function' | 'instruction' | 'data', Entry[]>();
  private readonly byGdbNumber = new Map<string, Entry>();
  private readonly specs = new Map<string, Spec>();
  filters = new Set(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter));

  constructor(private gdb: GdbSession) {}

  /**
   * Ids for breakpoints the client is told about before they are inserted (while the kernel
   * boots); the set* call that inserts them later is given the same ids.
   */
  reserve(n: number): number[] {
    return Array.from({ length: n }, () => this.nextId++);
  }

  /** After a restart: a new gdb; every kept spec is inserted again. */
  async reinsert(gdb: GdbSession): Promise<void> {
    this.gdb = gdb;
    this.byGdbNumber.clear();
    this.bySource.clear();
    this.byKind.clear();
    await setCatch(gdb, this.filters);
    for (const spec of [...this.specs.values()]) {
      if (spec.kind === 'source') await this.setSource(spec.path, spec.bps);
      else if (spec.kind === 'function') await this.setFunctions(spec.bps);
      else if (spec.kind === 'instruction') await this.setInstructions(spec.bps);
      else await this.setData(spec.bps);
    }
  }

  async setSource(path: string, bps: DebugProtocol.SourceBreakpoint[], ids?: number[]): Promise<DebugProtocol.Breakpoint[]> {
    this.specs.set(`source:${path}`, { kind: 'source', path, bps });
    return this.gdb.whileStopped(async () => {
      await this.remove(this.bySource.get(path) ?? []);
      const entries: Entry[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const [i, bp] of bps.entries()) {
        const [entry, result] = await this.insert('source', `${path}:${bp.line}`, bp, { line: bp.line, source: { path } }, ids?.[i]);
        entries.push(entry);
        out.push(result);
      }
      this.bySource.set(path, entries);
      return out;
    });
  }

  async setFunctions(bps: DebugProtocol.FunctionBreakpoint[], ids?: number[]): Promise<DebugProtocol.Breakpoint[]> {
    this.specs.set('function', { kind: 'function', bps });
    return this.replaceKind('function', bps.map((bp) => [bp.name, bp]), ids);
  }

  async setInstructions(bps: DebugProtocol.InstructionBreakpoint[], ids?: number[]): Promise<DebugProtocol.Breakpoint[]> {
    this.specs.set('instruction', { kind: 'instruction', bps });
    return this.replaceKind(
      'instruction',
      bps.map((bp) => [`*(${bp.instructionReference}) + ${bp.offset ?? 0}`, bp]),
      ids,
    );
  }

  async setData(bps: DebugProtocol.DataBreakpoint[], ids?: number[]): Promise<DebugProtocol.Breakpoint[]> {
    this.specs.set('data', { kind: 'data', bps });
    return this.gdb.whileStopped(async () => {
      await this.remove(this.byKind.get('data') ?? []);
      const entries: Entry[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const [i, bp] of bps.entries()) {
        const entry: Entry = { id: ids?.[i] ?? this.nextId++, kind: 'data', hits: 0 };
        entries.push(entry);
        try {
          entry.gdbNumber = await mi.breakWatch(this.gdb, bp.dataId, bp.accessType ?? 'write');
          if (bp.condition) await mi.breakCondition(this.gdb, entry.gdbNumber, bp.condition);
          this.byGdbNumber.set(entry.gdbNumber, entry);
          out.push({ id: entry.id, verified: true, message: `${bp.accessType ?? 'write'} ${bp.dataId}` });
        } catch (e) {
          await this.dropHalfMade(e);
          out.push({ id: entry.id, verified: false, message: messageOf(e) });
        }
      }
      this.byKind.set('data', entries);
      return out;
    });
  }

  /** The stub stops only at the exceptions whose filter is on; the others run into the crash report. */
  async setExceptionFilters(filters: string[]): Promise<void> {
    this.filters = new Set(filters);
    await setCatch(this.gdb, this.filters);
  }

  private async replaceKind(
    kind: 'function' | 'instruction',
    items: [string, DebugProtocol.FunctionBreakpoint | DebugProtocol.InstructionBreakpoint][],
    ids?: number[],
  ): Promise<DebugProtocol.Breakpoint[]> {
    return this.gdb.whileStopped(async () => {
      await this.remove(this.byKind.get(kind) ?? []);
      const entries: Entry[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const [i, [location, bp]] of items.entries()) {
        const [entry, result] = await this.insert(kind, location, bp, {}, ids?.[i]);
        entries.push(entry);
        out.push(result);
      }
      this.byKind.set(kind, entries);
      return out;
    });
  }

  private async insert(
    kind: Entry['kind'],
    location: string,
    bp: { condition?: string; hitCondition?: string; logMessage?: string },
    fallback: Partial<DebugProtocol.Breakpoint>,
    id = this.nextId++,
  ): Promise<[Entry, DebugProtocol.Breakpoint]> {
    const entry: Entry = { id, kind, logMessage: bp.logMessage, hits: 0 };
    let ignoreCount = 0;
    if (bp.hitCondition && bp.hitCondition.trim() !== '') {
      const h = parseHitCondition(bp.hitCondition);
      if (!h) {
        return [entry, { id: entry.id, verified: false, ...fallback, message: `Hit count "${bp.hitCondition}" is not understood: use N or ==N (stop on the Nth hit only), >N, >=N or %N, with N >= 1.` }];
      }
      ignoreCount = h.ignore;
      entry.every = h.every;
      entry.once = h.once;
    }
    try {
      const b = await mi.breakInsert(this.gdb, { location, condition: bp.condition, ignoreCount, pending: true });
      entry.gdbNumber = b.number;
      this.byGdbNumber.set(b.number, entry);
      const dap = toDap(entry.id, b, fallback);
      entry.seen = `${dap.verified}:${dap.line}:${dap.source?.path}`;
      return [entry, dap];
    } catch (e) {
      await this.dropHalfMade(e);
      return [entry, { id: entry.id, verified: false, ...fallback, message: messageOf(e) }];
    }
  }

  /**
   * With breakpoints always inserted, gdb creates a breakpoint it then cannot insert (a bad
   * address) and answers ^error: delete it, or every later resume fails on it.
   */
  private async dropHalfMade(e: unknown): Promise<void> {
    const m = e instanceof GdbError ? /Cannot insert (?:hardware )?breakpoint (\d+)/.exec(e.message) : null;
    if (m) await mi.breakDelete(this.gdb, [m[1]]).catch(() => undefined);
  }

  private async remove(entries: Entry[]): Promise<void> {
    const nums = entries.map((e) => e.gdbNumber).filter((n): n is string => n !== undefined);
    for (const n of nums) this.byGdbNumber.delete(n);
    await mi.breakDelete(this.gdb, nums).catch(() => undefined);
  }

  /** Decides what a stop means: a breakpoint, a logpoint to print, an exception, a step... */
  classify(e: StoppedEvent, pauseRequested: boolean): StopVerdict {
    switch (e.reason) {
      case 'breakpoint-hit': {
        const entry = e.bkptno !== undefined ? this.byGdbNumber.get(String(e.bkptno)) : undefined;
        if (entry) {
          entry.hits++;
          if (entry.every && entry.hits % entry.every !== 0) return { action: 'continue' };
          if (entry.once && entry.hits > 1) return { action: 'continue' };
          if (entry.logMessage !== undefined) return { action: 'log', entry: entry.id, message: entry.logMessage };
          const reason = entry.kind === 'function' ? 'function breakpoint' : entry.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
          return { action: 'report', reason, hitBreakpointIds: [entry.id] };
        }
        return { action: 'report', reason: 'breakpoint' };
      }
      case 'watchpoint-trigger':
      case 'read-watchpoint-trigger':
      case 'access-watchpoint-trigger': {
        const wpt = e.raw.wpt ?? e.raw['hw-rwpt'] ?? e.raw['hw-awpt'];
        const num = wpt && typeof wpt === 'object' && !Array.isArray(wpt) ? wpt.number : undefined;
        const entry = typeof num === 'string' ? this.byGdbNumber.get(num) : undefined;
        const value = e.raw.value;
        let text: string | undefined;
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          const v = value as Record<string, unknown>;
          text = v.old !== undefined ? `old ${String(v.old)}, new ${String(v.new)}` : v.value !== undefined ? `value ${String(v.value)}` : undefined;
        }
        return { action: 'report', reason: 'data breakpoint', text, hitBreakpointIds: entry ? [entry.id] : undefined };
      }
      case 'end-stepping-range':
      case 'function-finished':
      case 'location-reached':
        return { action: 'report', reason: 'step' };
      case 'signal-received': {
        const sig = e.signalName ?? '';
        if (sig === 'SIGINT') return { action: 'report', reason: 'pause' };
        if (sig === 'SIGTRAP' || sig === '0') return { action: 'report', reason: pauseRequested ? 'pause' : 'entry' };
        // a kernel stub told to let these pass does not stop for them (setCatch)
        if (CPU_SIGNALS.has(sig)) {
          return { action: 'report', reason: 'exception', description: `CPU exception (${sig}: ${meaning(e)})`, text: sig };
        }
        if (sig === 'SIGABRT') {
          return { action: 'report', reason: 'exception', description: 'panic / assert (SIGABRT)', text: 'panic' };
        }
        return { action: 'report', reason: 'exception', description: `${sig}: ${meaning(e)}`, text: sig };
      }
      default:
        return { action: 'report', reason: pauseRequested ? 'pause' : 'entry' };
    }
  }

  /** A breakpoint-modified notification: the hit count, or a pending breakpoint resolved. */
  changed(b: MiBreakpoint): DebugProtocol.Breakpoint | undefined {
    const entry = this.byGdbNumber.get(b.number);
    if (!entry || entry.kind === 'data') return undefined;
    const dap = toDap(entry.id, b, {});
    // every hit modifies the hit count; only a change the user can see is worth an event
    const seen = `${dap.verified}:${dap.line}:${dap.source?.path}`;
    if (entry.seen === seen) return undefined;
    const first = entry.seen === undefined;
    entry.seen = seen;
    return first && dap.verified ? undefined : dap;
  }
}

function meaning(e: StoppedEvent): string {
  const m = e.raw['signal-meaning'];
  return typeof m === 'string' ? m : 'signal';
}

function toDap(id: number, b: MiBreakpoint, fallback: Partial<DebugProtocol.Breakpoint>): DebugProtocol.Breakpoint {
  const loc = b.locations.find((l) => l.line !== undefined) ?? b;
  const verified = b.pending === undefined && (loc.addr !== undefined && loc.addr !== '<PENDING>');
  return {
    id,
    verified,
    line: loc.line ?? fallback.line,
    source: loc.fullname ? { path: loc.fullname, name: loc.file } : fallback.source,
    instructionReference: loc.addr && loc.addr.startsWith('0x') ? loc.addr : undefined,
    message: verified ? undefined : 'Not found in the program (yet): gdb keeps it pending.',
  };
}

/**
 * A hit condition as VS Code users write it: "N" and "==N" stop once, on the Nth hit; ">=N" on
 * every hit from the Nth, ">N" after the Nth; "%N" on every Nth.
 */
export function parseHitCondition(s: string): { ignore: number; every?: number; once?: boolean } | undefined {
  const m = /^\s*(>=|>|==|=|%)?\s*(\d+)\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return { ignore: n };
    case '>=':
      return { ignore: Math.max(0, n - 1) };
    case '%':
      return n > 0 ? { ignore: 0, every: n } : undefined;
    default:
      return n > 0 ? { ignore: n - 1, once: true } : undefined;
  }
}

function messageOf(e: unknown): string {
  // "Warning:\nCannot insert breakpoint 2.\nCannot access memory at address 0x0\n": the last line says why
  if (e instanceof GdbError) return e.message.trim().split('\n').pop() ?? e.message;
  return e instanceof Error ? e.message : String(e);
}
