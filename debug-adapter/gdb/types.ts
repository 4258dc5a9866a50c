// Typed shapes of the MI results the adapter uses, converted from raw tuples in one place.

import { list, num, str, tuple, type MiTuple, type MiValue } from './parser';

export interface MiFrame {
  level: number;
  addr?: string;
  func?: string;
  file?: string;
  fullname?: string;
  line?: number;
  /** the shared library or binary when there is no source */
  from?: string;
}

export function toFrame(t: MiTuple): MiFrame {
  return {
    level: num(t.level) ?? 0,
    addr: str(t.addr),
    func: str(t.func),
    file: str(t.file),
    fullname: str(t.fullname),
    line: num(t.line),
    from: str(t.from),
  };
}

export interface MiBreakpoint {
  number: string;
  type: string;
  enabled: boolean;
  addr?: string;
  func?: string;
  file?: string;
  fullname?: string;
  line?: number;
  times: number;
  cond?: string;
  ignore?: number;
  pending?: string;
  /** the locations of a breakpoint that resolved to several places */
  locations: MiBreakpoint[];
}

export function toBreakpoint(t: MiTuple): MiBreakpoint {
  return {
    number: str(t.number) ?? '',
    type: str(t.type) ?? 'breakpoint',
    enabled: str(t.enabled) !== 'n',
    addr: str(t.addr),
    func: str(t.func),
    file: str(t.file),
    fullname: str(t.fullname),
    line: num(t.line),
    times: num(t.times) ?? 0,
    cond: str(t.cond),
    ignore: num(t.ignore),
    pending: str(t.pending),
    locations: list(t.locations)
      .map((l) => tuple(l))
      .filter((l): l is MiTuple => l !== undefined)
      .map(toBreakpoint),
  };
}

export interface MiThread {
  id: number;
  targetId: string;
  name?: string;
  details?: string;
  state?: string;
  /** the CPU it is on, when the stub says (qXfer:threads' core attribute) */
  core?: number;
  frame?: MiFrame;
}

export function toThread(t: MiTuple): MiThread {
  const f = tuple(t.frame);
  return {
    id: num(t.id) ?? 0,
    targetId: str(t['target-id']) ?? '',
    name: str(t.name),
    details: str(t.details),
    state: str(t.state),
    core: num(t.core),
    frame: f ? toFrame(f) : undefined,
  };
}

export interface MiVariable {
  name: string;
  type?: string;
  value?: string;
  arg: boolean;
}

export function toVariable(v: MiValue): MiVariable | undefined {
  const t = tuple(v);
  if (!t) return undefined;
  return { name: str(t.name) ?? '', type: str(t.type), value: str(t.value), arg: str(t.arg) === '1' };
}

export interface MiVarObj {
  /** gdb's handle, e.g. var3.x */
  name: string;
  exp: string;
  numchild: number;
  value: string;
  type: string;
  dynamic: boolean;
  hasMore: boolean;
}

export function toVarObj(t: MiTuple): MiVarObj {
  return {
    name: str(t.name) ?? '',
    exp: str(t.exp) ?? '',
    numchild: num(t.numchild) ?? 0,
    value: str(t.value) ?? '',
    type: str(t.type) ?? '',
    dynamic: str(t.dynamic) === '1',
    hasMore: str(t.has_more) === '1',
  };
}

export interface MiInstruction {
  address: string;
  funcName?: string;
  offset?: number;
  inst: string;
  opcodes?: string;
  file?: string;
  fullname?: string;
  line?: number;
}
