// Typed MI commands: one small function per command, so the adapter never builds MI strings.
// Arguments are plain strings; GdbSession.send quotes every one of them.

import { list, num, str, tuple, type MiTuple } from './parser';
import type { GdbSession } from './session';
import {
  toBreakpoint,
  toFrame,
  toThread,
  toVariable,
  toVarObj,
  type MiBreakpoint,
  type MiFrame,
  type MiInstruction,
  type MiThread,
  type MiVariable,
  type MiVarObj,
} from './types';

/** --thread/--frame options that select the context of a command */
export interface Context {
  thread?: number;
  frame?: number;
}

function ctx(c?: Context): string[] {
  const out: string[] = [];
  if (c?.thread !== undefined) out.push('--thread', String(c.thread));
  if (c?.frame !== undefined) out.push('--frame', String(c.frame));
  return out;
}

// --- setup and connection -----------------------------------------------------------------

/** `-gdb-set name words...`, e.g. gdbSet(gdb, 'breakpoint', 'pending', 'on') */
export async function gdbSet(gdb: GdbSession, name: string, ...words: string[]): Promise<void> {
  await gdb.send('-gdb-set', [name, ...words]);
}

export async function fileExecAndSymbols(gdb: GdbSession, elf: string): Promise<void> {
  await gdb.send('-file-exec-and-symbols', [elf], { timeoutMs: 30_000 });
}

/** `target remote host:port`; QEMU's and the kernel's stubs both answer with a stop. */
export async function targetRemote(gdb: GdbSession, hostPort: string, timeoutMs = 20_000): Promise<void> {
  await gdb.send('-target-select', ['remote', hostPort], { timeoutMs });
}

export async function targetDetach(gdb: GdbSession): Promise<void> {
  await gdb.send('-target-detach', [], { timeoutMs: 5000 });
}

// --- breakpoints ----------------------------------------------------------------------------

export interface BreakInsertOptions {
  location: string;
  temporary?: boolean;
  hardware?: boolean;
  condition?: string;
  ignoreCount?: number;
  /** create even when the location is not found yet (-f) */
  pending?: boolean;
}

export async function breakInsert(gdb: GdbSession, o: BreakInsertOptions): Promise<MiBreakpoint> {
  const args: string[] = [];
  if (o.temporary) args.push('-t');
  if (o.hardware) args.push('-h');
  if (o.pending) args.push('-f');
  if (o.condition) args.push('-c', o.condition);
  if (o.ignoreCount) args.push('-i', String(o.ignoreCount));
  args.push('--', o.location);
  const r = await gdb.send('-break-insert', args);
  return toBreakpoint(tuple(r.results.bkpt) ?? {});
}

/** dprintf: gdb prints `format` with `args` when the location is hit, and does not stop. */
export async function dprintfInsert(
  gdb: GdbSession,
  location: string,
  format: string,
  args: string[],
  condition?: string,
): Promise<MiBreakpoint> {
  const a: string[] = [];
  if (condition) a.push('-c', condition);
  a.push('-f', '--', location, format, ...args);
  const r = await gdb.send('-dprintf-insert', a);
  return toBreakpoint(tuple(r.results.bkpt) ?? {});
}

export type WatchKind = 'write' | 'read' | 'readWrite';

export async function breakWatch(gdb: GdbSession, expr: string, kind: WatchKind): Promise<string> {
  const args = kind === 'read' ? ['-r'] : kind === 'readWrite' ? ['-a'] : [];
  const r = await gdb.send('-break-watch', [...args, expr]);
  const wpt = tuple(r.results.wpt) ?? tuple(r.results['hw-rwpt']) ?? tuple(r.results['hw-awpt']) ?? {};
  return str(wpt.number) ?? '';
}

export async function breakDelete(gdb: GdbSession, ids: string[]): Promise<void> {
  if (ids.length) await gdb.send('-break-delete', ids);
}

export async function breakCondition(gdb: GdbSession, id: string, condition: string): Promise<void> {
  await gdb.send('-break-condition', [id, condition]);
}

export async function breakList(gdb: GdbSession): Promise<MiBreakpoint[]> {
  const r = await gdb.send('-break-list');
  const table = tuple(r.results.BreakpointTable);
  return list(table?.body)
    .map((b) => tuple(b))
    .filter((b): b is MiTuple => b !== undefined)
    .map(toBreakpoint);
}

// --- execution ------------------------------------------------------------------------------

export type StepKind = 'continue' | 'next' | 'step' | 'finish' | 'nexti' | 'stepi';

const STEP_OPS: Record<StepKind, string> = {
  continue: '-exec-continue',
  next: '-exec-next',
  step: '-exec-step',
  finish: '-exec-finish',
  nexti: '-exec-next-instruction',
  stepi: '-exec-step-instruction',
};

export async function exec(gdb: GdbSession, kind: StepKind, thread?: number): Promise<void> {
  await gdb.send(STEP_OPS[kind], ctx({ thread }));
}

// --- threads and stack ----------------------------------------------------------------------

export async function threadInfo(gdb: GdbSession): Promise<{ threads: MiThread[]; current?: number }> {
  const r = await gdb.send('-thread-info');
  return {
    threads: list(r.results.threads)
      .map((t) => tuple(t))
      .filter((t): t is MiTuple => t !== undefined)
      .map(toThread),
    current: num(r.results['current-thread-id']),
  };
}

export async function threadSelect(gdb: GdbSession, id: number): Promise<void> {
  await gdb.send('-thread-select', [String(id)]);
}

export async function stackInfoDepth(gdb: GdbSession, thread: number, max: number): Promise<number> {
  const r = await gdb.send('-stack-info-depth', [...ctx({ thread }), String(max)]);
  return num(r.results.depth) ?? 0;
}

export async function stackListFrames(
  gdb: GdbSession,
  thread: number,
  low: number,
  high: number,
): Promise<MiFrame[]> {
  const r = await gdb.send('-stack-list-frames', [...ctx({ thread }), '--no-frame-filters', String(low), String(high)]);
  return list(r.results.stack)
    .map((f) => tuple(f))
    .filter((f): f is MiTuple => f !== undefined)
    .map(toFrame);
}

export async function stackListVariables(gdb: GdbSession, c?: Context): Promise<MiVariable[]> {
  const r = await gdb.send('-stack-list-variables', [...ctx(c), '--no-frame-filters', '--simple-values']);
  return list(r.results.variables)
    .map(toVariable)
    .filter((v): v is MiVariable => v !== undefined);
}

// --- data -----------------------------------------------------------------------------------

export async function evaluate(gdb: GdbSession, expr: string, c?: Context): Promise<string> {
  const r = await gdb.send('-data-evaluate-expression', [...ctx(c), expr]);
  return str(r.results.value) ?? '';
}

/** `info scope *ADDR`: gdb's words for where each local of the block at ADDR lives there. */
export async function infoScope(gdb: GdbSession, address: string): Promise<string> {
  return gdb.cli(`info scope *${address}`);
}

export async function registerNames(gdb: GdbSession): Promise<string[]> {
  const r = await gdb.send('-data-list-register-names');
  return list(r.results['register-names']).map((n) => str(n) ?? '');
}

/** fmt: x hex, N natural, d, o, t, r raw */
export async function registerValues(
  gdb: GdbSession,
  fmt: string,
  c: Context | undefined,
  regs: number[] = [],
): Promise<{ number: number; value: string }[]> {
  const r = await gdb.send('-data-list-register-values', [...ctx(c), '--skip-unavailable', fmt, ...regs.map(String)]);
  return list(r.results['register-values']).map((v) => {
    const t = tuple(v) ?? {};
    return { number: num(t.number) ?? -1, value: str(t.value) ?? '' };
  });
}

export async function readMemory(
  gdb: GdbSession,
  address: string,
  count: number,
  offset = 0,
): Promise<{ begin: string; contents: string }[]> {
  const r = await gdb.send('-data-read-memory-bytes', ['-o', String(offset), address, String(count)]);
  return list(r.results.memory).map((m) => {
    const t = tuple(m) ?? {};
    return { begin: str(t.begin) ?? '0', contents: str(t.contents) ?? '' };
  });
}

export async function writeMemory(gdb: GdbSession, address: string, hex: string): Promise<void> {
  await gdb.send('-data-write-memory-bytes', [address, hex]);
}

/** mode 5: raw opcodes plus source lines */
export async function disassemble(gdb: GdbSession, start: string, end: string): Promise<MiInstruction[]> {
  const r = await gdb.send('-data-disassemble', ['-s', start, '-e', end, '--', '5']);
  const out: MiInstruction[] = [];
  const one = (t: MiTuple, src?: MiTuple): void => {
    out.push({
      address: str(t.address) ?? '',
      funcName: str(t['func-name']),
      offset: num(t.offset),
      inst: str(t.inst) ?? '',
      opcodes: str(t.opcodes),
      file: src ? str(src.file) : undefined,
      fullname: src ? str(src.fullname) : undefined,
      line: src ? num(src.line) : undefined,
    });
  };
  for (const item of list(r.results.asm_insns)) {
    const t = tuple(item);
    if (!t) continue;
    if (t.line_asm_insn !== undefined) {
      for (const i of list(t.line_asm_insn)) {
        const it = tuple(i);
        if (it) one(it, t);
      }
    } else {
      one(t);
    }
  }
  return out;
}

export async function complete(gdb: GdbSession, text: string): Promise<string[]> {
  const r = await gdb.send('-complete', [text]);
  return list(r.results.matches).map((m) => str(m) ?? '');
}

export async function sourceFiles(gdb: GdbSession): Promise<{ file: string; fullname?: string }[]> {
  const r = await gdb.send('-file-list-exec-source-files', [], { timeoutMs: 30_000 });
  return list(r.results.files).map((f) => {
    const t = tuple(f) ?? {};
    return { file: str(t.file) ?? '', fullname: str(t.fullname) };
  });
}

// --- variable objects -----------------------------------------------------------------------

export async function varCreate(gdb: GdbSession, expr: string, c?: Context, floating = false): Promise<MiVarObj> {
  const r = await gdb.send('-var-create', [...ctx(c), '-', floating ? '@' : '*', expr]);
  return toVarObj({ ...r.results, exp: expr });
}

export async function varListChildren(gdb: GdbSession, name: string, from?: number, to?: number): Promise<MiVarObj[]> {
  const range = from !== undefined && to !== undefined ? [String(from), String(to)] : [];
  const r = await gdb.send('-var-list-children', ['--all-values', name, ...range]);
  return list(r.results.children)
    .map((c) => tuple(c))
    .filter((c): c is MiTuple => c !== undefined)
    .map(toVarObj);
}

export async function varSetFormat(gdb: GdbSession, name: string, format: 'natural' | 'hexadecimal'): Promise<string> {
  const r = await gdb.send('-var-set-format', [name, format]);
  return str(r.results.value) ?? '';
}

export async function varEvaluate(gdb: GdbSession, name: string): Promise<string> {
  const r = await gdb.send('-var-evaluate-expression', [name]);
  return str(r.results.value) ?? '';
}

export async function varAssign(gdb: GdbSession, name: string, expr: string): Promise<string> {
  const r = await gdb.send('-var-assign', [name, expr]);
  return str(r.results.value) ?? '';
}

export async function varPathExpression(gdb: GdbSession, name: string): Promise<string> {
  const r = await gdb.send('-var-info-path-expression', [name]);
  return str(r.results.path_expr) ?? '';
}

export async function varDelete(gdb: GdbSession, name: string): Promise<void> {
  await gdb.send('-var-delete', [name]);
}
