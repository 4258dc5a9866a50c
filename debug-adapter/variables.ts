// Scopes (Locals, Registers, Globals), variables with children, hex formatting, assignment,
// evaluate (watch, hover, repl with `-exec `/`>` gdb commands) and completions. Structured values
// are gdb variable objects, created only when the user expands them; every reference handed out
// here is valid until the kernel resumes (`invalidate`).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { mi, VarObjects, type GdbSession, type MiVarObj } from './gdb';
import { assignedName, isAssignment, refusal } from './assign';
import { errors } from './errors';
import { faultRows, type Fault } from './faults';
import type { FrameRef, Stack } from './stack';

type Ref =
  | { kind: 'locals'; f: FrameRef }
  | { kind: 'registers'; f: FrameRef }
  | { kind: 'globals'; f: FrameRef }
  | { kind: 'varobj'; name: string; type: string; evaluateName: string; f?: FrameRef }
  | { kind: 'lazy'; expr: string; f?: FrameRef };

/** Registers worth a row: the general ones, flags, segments and the segment bases. */
const REGISTER_RE = /^(r[a-z0-9]+|eflags|rflags|[c-gs]s|fs_base|gs_base|cr[0-8]|efer)$/;

export const GDB_COMMAND_PREFIXES = ['-exec ', '>'];

export class Variables {
  private nextRef = 1;
  private readonly refs = new Map<number, Ref>();
  /** "ref/name" -> the expression that names that variable, for setVariable */
  private readonly names = new Map<string, string>();
  private varobjs: VarObjects;
  private registerNames?: string[];
  private globalsCache = new Map<string, string[]>();
  /** the exception of this stop, shown first in Registers (vector, error code, cr2) */
  private fault?: { fault: Fault; thread?: number };

  constructor(
    private gdb: GdbSession,
    private readonly stack: Stack,
  ) {
    this.varobjs = new VarObjects(gdb);
  }

  reset(gdb: GdbSession): void {
    this.gdb = gdb;
    this.varobjs = new VarObjects(gdb);
    this.registerNames = undefined;
    this.globalsCache.clear();
    this.refs.clear();
    this.names.clear();
  }

  /** On resume: references die, variable objects are deleted. */
  async invalidate(): Promise<void> {
    this.fault = undefined;
    this.refs.clear();
    this.names.clear();
    this.nextRef = 1;
    await this.varobjs.clear();
  }

  /** After invalidate: the stop is an exception stop. */
  setFault(fault: Fault | undefined, thread?: number): void {
    this.fault = fault ? { fault, thread } : undefined;
  }

  private add(r: Ref): number {
    const id = this.nextRef++;
    this.refs.set(id, r);
    return id;
  }

  scopes(frameId: number): DebugProtocol.Scope[] {
    const f = this.frame(frameId);
    return [
      { name: 'Locals', presentationHint: 'locals', variablesReference: this.add({ kind: 'locals', f }), expensive: false },
      { name: 'Registers', presentationHint: 'registers', variablesReference: this.add({ kind: 'registers', f }), expensive: false },
      { name: 'Globals', variablesReference: this.add({ kind: 'globals', f }), expensive: true },
    ];
  }

  async variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const ref = this.refs.get(args.variablesReference);
    if (!ref) return [];
    const hex = args.format?.hex ?? false;
    let vars: DebugProtocol.Variable[];
    switch (ref.kind) {
      case 'locals':
        vars = await this.locals(ref.f, hex);
        break;
      case 'registers':
        vars = await this.registers(ref.f, hex);
        break;
      case 'globals':
        vars = await this.globals(ref.f, hex);
        break;
      case 'lazy': {
        const v = await this.varobjs.create(ref.expr, ctxOf(ref.f), hex);
        vars = await this.children({ kind: 'varobj', name: v.name, type: v.type, evaluateName: ref.expr, f: ref.f }, hex);
        break;
      }
      case 'varobj':
        vars = await this.children(ref, hex);
        break;
    }
    for (const v of vars) if (v.evaluateName) this.names.set(`${args.variablesReference}/${v.name}`, v.evaluateName);
    const start = args.start ?? 0;
    return args.count ? vars.slice(start, start + args.count) : vars.slice(start);
  }

  private async locals(f: FrameRef, hex: boolean): Promise<DebugProtocol.Variable[]> {
    const list = await mi.stackListVariables(this.gdb, ctxOf(f));
    const out: DebugProtocol.Variable[] = [];
    for (const v of list) {
      out.push(await this.simple(v.name, v.type ?? '', v.value, f, hex));
    }
    return out;
  }

  /** A variable known by expression: leaf values as they are, aggregates and pointers expandable. */
  private async simple(expr: string, type: string, value: string | undefined, f: FrameRef | undefined, hex: boolean): Promise<DebugProtocol.Variable> {
    const pointer = /\*\s*(const\s*)?$/.test(type) && !/^(const )?(unsigned |signed )?char \*$/.test(type);
    const aggregate = value === undefined;
    if (hex && !aggregate) {
      try {
        const vo = await this.varobjs.create(expr, ctxOf(f), true);
        value = vo.value;
      } catch {
        // keep the natural value
      }
    }
    return {
      name: expr,
      value: aggregate ? (type.endsWith(']') ? `[${/\[(\d+)\]$/.exec(type)?.[1] ?? ''}]` : '{...}') : value ?? '',
      type,
      evaluateName: expr,
      variablesReference: aggregate || pointer ? this.add({ kind: 'lazy', expr, f }) : 0,
    };
  }

  private async registers(f: FrameRef, hex: boolean): Promise<DebugProtocol.Variable[]> {
    this.registerNames ??= await mi.registerNames(this.gdb);
    const names = this.registerNames;
    const wanted = names.map((n, i) => [n, i] as const).filter(([n]) => REGISTER_RE.test(n) && !/^r\d+[dwl]$/.test(n));
    const values = await mi.registerValues(this.gdb, hex ? 'x' : 'N', ctxOf(f), wanted.map(([, i]) => i));
    const x = this.fault;
    const faulting = x && f.level === 0 && (x.thread === undefined || x.thread === f.thread);
    const fault = faulting ? faultRows(x.fault).map((r) => ({ ...r, variablesReference: 0 })) : [];
    const regs = values.map((v) => ({
      name: names[v.number] ?? `r${v.number}`,
      value: v.value,
      evaluateName: `$${names[v.number]}`,
      variablesReference: 0,
    }));
    return [...fault, ...regs];
  }

  /** The globals and file-level statics of the frame's source file. */
  private async globals(f: FrameRef, hex: boolean): Promise<DebugProtocol.Variable[]> {
    const file = f.frame.fullname;
    if (!file) return [];
    let names = this.globalsCache.get(file);
    if (!names) {
      names = [];
      try {
        const r = await this.gdb.send('-symbol-info-variables', [], { timeoutMs: 30_000 });
        const debug = r.results.symbols && typeof r.results.symbols === 'object' && !Array.isArray(r.results.symbols) ? r.results.symbols.debug : undefined;
        for (const entry of Array.isArray(debug) ? debug : []) {
          if (typeof entry !== 'object' || Array.isArray(entry) || entry.fullname !== file) continue;
          for (const s of Array.isArray(entry.symbols) ? entry.symbols : []) {
            if (typeof s === 'object' && !Array.isArray(s) && typeof s.name === 'string') names.push(s.name);
          }
        }
      } catch {
        // an old gdb without -symbol-info-variables: no globals scope content
      }
      this.globalsCache.set(file, names);
    }
    const out: DebugProtocol.Variable[] = [];
    for (const name of names) {
      try {
        const vo = await this.varobjs.create(name, ctxOf(f), hex);
        out.push(this.fromVarObj(vo, name, f));
      } catch {
        // optimised away or not in this frame's scope
      }
    }
    return out;
  }

  private async children(ref: Extract<Ref, { kind: 'varobj' }>, hex: boolean): Promise<DebugProtocol.Variable[]> {
    const kids = await this.varobjs.listChildren(ref.name, hex);
    return kids.map((k) => this.fromVarObj(k, childExpression(ref.evaluateName, ref.type, k.exp), ref.f, k.exp));
  }

  private fromVarObj(v: MiVarObj, evaluateName: string, f?: FrameRef, display?: string): DebugProtocol.Variable {
    const name = display === undefined ? evaluateName : /^\d+$/.test(display) ? `[${display}]` : display;
    return {
      name,
      value: v.value,
      type: v.type,
      evaluateName,
      variablesReference: v.numchild > 0 || v.dynamic ? this.add({ kind: 'varobj', name: v.name, type: v.type, evaluateName, f }) : 0,
      indexedVariables: v.type.endsWith(']') && v.numchild > 0 ? v.numchild : undefined,
    };
  }

  async setVariable(args: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.SetVariableResponse['body']> {
    const ref = this.refs.get(args.variablesReference);
    const expr = this.names.get(`${args.variablesReference}/${args.name}`) ?? args.name;
    const f = ref && 'f' in ref ? ref.f : undefined;
    const value = await this.assign(`${expr} = ${args.value}`, /^[A-Za-z_]\w*$/.test(expr) ? expr : undefined, f);
    await this.varobjs.clear();
    return { value };
  }

  /** Runs an assignment; when gdb refuses it, the error says why (assign.ts). */
  private async assign(expr: string, name: string | undefined, f: FrameRef | undefined): Promise<string> {
    try {
      return await mi.evaluate(this.gdb, expr, ctxOf(f));
    } catch (e) {
      throw await refusal(this.gdb, name, f, e);
    }
  }

  async setExpression(args: DebugProtocol.SetExpressionArguments): Promise<DebugProtocol.SetExpressionResponse['body']> {
    const f = args.frameId !== undefined ? this.stack.frame(args.frameId) : undefined;
    const name = /^\s*[A-Za-z_]\w*\s*$/.test(args.expression) ? args.expression.trim() : undefined;
    await this.assign(`${args.expression} = ${args.value}`, name, f);
    await this.varobjs.clear();
    const r = await this.evaluateValue(args.expression, f, args.format?.hex ?? false);
    return { ...r, value: r.result };
  }

  /** evaluate for watch, hover and the repl; `-exec cmd` and `>cmd` run gdb commands. */
  async evaluate(args: DebugProtocol.EvaluateArguments, onConsole: (text: string) => void): Promise<DebugProtocol.EvaluateResponse['body']> {
    const command = gdbCommand(args.expression);
    if (command !== undefined && (args.context === 'repl' || args.context === undefined)) {
      const text = await this.gdb.cli(command, { timeoutMs: 30_000 });
      if (text) onConsole(text);
      return { result: '', variablesReference: 0 };
    }
    if (this.gdb.running) throw errors.notStopped();
    const f = args.frameId !== undefined ? this.stack.frame(args.frameId) : undefined;
    if (isAssignment(args.expression)) {
      // a variable object would hide a refused assignment behind an empty value (and assign
      // again at each update): gdb's evaluator runs it once and says why it refuses
      if (args.context === 'hover') throw errors.expression('An assignment is not run on hover.');
      const result = await this.assign(args.expression, assignedName(args.expression), f);
      await this.varobjs.clear();
      return { result, variablesReference: 0 };
    }
    return this.evaluateValue(args.expression, f, args.format?.hex ?? false);
  }

  private async evaluateValue(expr: string, f: FrameRef | undefined, hex: boolean): Promise<DebugProtocol.EvaluateResponse['body']> {
    let v: MiVarObj;
    try {
      v = await this.varobjs.create(expr, ctxOf(f), hex);
    } catch (e) {
      // -var-create only says "unable to create variable object"; gdb's evaluator says why
      await mi.evaluate(this.gdb, expr, ctxOf(f));
      throw e;
    }
    const dv = this.fromVarObj(v, expr, f);
    let result = v.value;
    if (v.numchild > 0 && !/\*\s*(const\s*)?$/.test(v.type)) {
      // an aggregate: the varobj says "{...}" or "[16]"; show its contents instead
      result = await mi.evaluate(this.gdb, expr, ctxOf(f)).catch(() => v.value);
    }
    return {
      result,
      type: v.type,
      variablesReference: dv.variablesReference,
      indexedVariables: dv.indexedVariables,
      memoryReference: await this.addressOf(expr, v, f),
    };
  }

  /** The address a value names, for "View Binary Data": pointers point, objects have one. */
  private async addressOf(expr: string, v: MiVarObj, f?: FrameRef): Promise<string | undefined> {
    const m = /^(0x[0-9a-f]+)/i.exec(v.value);
    if (m && /\*/.test(v.type)) return m[1];
    if (v.numchild > 0) {
      try {
        const a = await mi.evaluate(this.gdb, `&(${expr})`, ctxOf(f));
        return /^(0x[0-9a-f]+)/i.exec(a)?.[1];
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  async completions(args: DebugProtocol.CompletionsArguments): Promise<DebugProtocol.CompletionItem[]> {
    const text = args.text.slice(0, Math.max(0, args.column - 1));
    const command = gdbCommand(text);
    const prefix = command !== undefined ? '' : 'print ';
    const asked = command ?? text;
    const matches = await mi.complete(this.gdb, prefix + asked);
    const start = text.length - asked.length;
    const seen = new Set<string>();
    const out: DebugProtocol.CompletionItem[] = [];
    for (const m of matches) {
      const label = m.slice(prefix.length);
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({ label, text: label, start, length: asked.length, type: command !== undefined ? 'keyword' : 'variable' });
    }
    return out;
  }

  /** dataBreakpointInfo: any variable with an evaluate name can be watched. */
  dataBreakpointInfo(args: DebugProtocol.DataBreakpointInfoArguments): DebugProtocol.DataBreakpointInfoResponse['body'] {
    let expr = args.name;
    if (args.variablesReference !== undefined) {
      expr = this.names.get(`${args.variablesReference}/${args.name}`) ?? args.name;
      const ref = this.refs.get(args.variablesReference);
      if (ref?.kind === 'registers') return { dataId: null, description: 'Registers cannot be watched.' };
    }
    return { dataId: expr, description: expr, accessTypes: ['write', 'read', 'readWrite'], canPersist: false };
  }

  private frame(frameId: number): FrameRef {
    const f = this.stack.frame(frameId);
    if (!f) throw errors.badRequest(`Unknown frame ${frameId}: the kernel has resumed since.`);
    return f;
  }
}

function ctxOf(f?: FrameRef): mi.Context | undefined {
  return f ? { thread: f.thread, frame: f.level } : undefined;
}

/** The text after `-exec ` or `>`, or undefined for an expression. */
export function gdbCommand(text: string): string | undefined {
  const t = text.trimStart();
  for (const p of GDB_COMMAND_PREFIXES) if (t.startsWith(p)) return t.slice(p.length).trim();
  return undefined;
}

/** C expression for a child of `parent`: a field, an element, or the pointee. */
export function childExpression(parent: string, parentType: string, exp: string): string {
  const p = /^[A-Za-z_]\w*$/.test(parent) ? parent : `(${parent})`;
  if (/\*\s*(const\s*)?$/.test(parentType)) return exp.startsWith('*') ? `*${p}` : `${p}->${exp}`;
  if (/\]$/.test(parentType)) return `${p}[${exp}]`;
  return `${p}.${exp}`;
}
