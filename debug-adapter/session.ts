// The DAP session: one handler per request, each of which validates its arguments, delegates to a
// feature module (breakpoints, stack, variables, memory, disassembly, kernelinfo) or to the
// debuggee, and converts the answer. Errors are thrown and turned into responses in one place
// (`run`, through errors.ts). gdb's events become DAP events in `wire`.

import {
  BreakpointEvent,
  ContinuedEvent,
  DebugSession,
  ExitedEvent,
  InitializedEvent,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  ProgressUpdateEvent,
  StoppedEvent,
  TerminatedEvent,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import { Breakpoints, EXCEPTION_FILTERS } from './breakpoints';
import { Debuggee, type AttachArgs, type LaunchArgs } from './debuggee';
import { disassemble } from './disassembly';
import { errors, toDapError } from './errors';
import { readFault } from './faults';
import { mi, toBreakpoint, tuple, type GdbSession, type StoppedEvent as GdbStop } from './gdb';
import { kernelInfo } from './kernelinfo';
import { readMemory, writeMemory } from './memory';
import { argsProblem, isMinnowRequest, type RequestArgs } from './requests';
import { Stack } from './stack';
import { Variables } from './variables';
import { trace, tracing } from '../target';

type StartArgs = { kind: 'launch'; args: LaunchArgs } | { kind: 'attach'; args: AttachArgs };

/**
 * What a client may ask while a launch boots (after the early `initialized`): breakpoints are
 * answered at once and inserted when gdb is connected; every other request waits for the boot.
 */
const WHILE_BOOTING = new Set(['initialize', 'launch', 'attach', 'disconnect', 'terminate', 'cancel', 'setBreakpoints', 'setFunctionBreakpoints', 'setInstructionBreakpoints', 'setDataBreakpoints', 'setExceptionBreakpoints']);
const PENDING_MESSAGE = 'Inserted when the kernel has booted.';

export class MinnowDebugSession extends DebugSession {
  private debuggee?: Debuggee;
  private startArgs?: StartArgs;
  private bps?: Breakpoints;
  private stack?: Stack;
  private vars?: Variables;
  private configured = false;
  private pauseRequested = false;
  private ended = false;
  private progress = false;
  /** >0 while the adapter runs gdb scripts of its own: their errors are not the user's */
  private quiet = 0;
  private progressId = 0;
  /**
   * While a launch boots: settles (never rejects) when the boot is over and the breakpoints
   * given meanwhile are inserted; requests other than WHILE_BOOTING wait for it.
   */
  private bootGate?: Promise<void>;
  /** the breakpoint requests answered while booting, to run when gdb is connected */
  private early: (() => Promise<void>)[] = [];
  private bootFailed = false;

  /** for main.ts: what to kill when the adapter process goes down */
  static current?: MinnowDebugSession;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    MinnowDebugSession.current = this;
  }

  killNow(): void {
    this.debuggee?.killNow();
  }

  // with MINNOW_TRACE set, every request, response and event goes into the trace (where an F5's
  // time goes: test/e2e/debug.test.ts prints it)
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (tracing()) trace('adapter-request', { command: request.command, seq: request.seq });
    if (this.bootGate && !WHILE_BOOTING.has(request.command)) {
      void this.bootGate.then(() => super.dispatchRequest(request));
      return;
    }
    super.dispatchRequest(request);
  }

  override sendResponse(response: DebugProtocol.Response): void {
    if (tracing()) trace('adapter-response', { command: response.command, seq: response.request_seq, success: response.success });
    super.sendResponse(response);
  }

  override sendEvent(event: DebugProtocol.Event): void {
    if (tracing() && event.event !== 'output') trace('adapter-event', { name: event.event });
    super.sendEvent(event);
  }

  /** A bug on a path no request waits for: logged, and the session carries on. */
  internalError(e: unknown): void {
    const d = toDapError(e);
    this.sendEvent(new OutputEvent(`minnow debug adapter: ${d.detail ?? d.format}\n`, 'stderr'));
  }

  /** Runs a handler: its result is the response body; whatever it throws becomes an error response. */
  private run<R extends DebugProtocol.Response>(response: R, fn: () => Promise<R['body'] | void>): void {
    fn().then(
      (body) => {
        if (body !== undefined) response.body = body;
        this.sendResponse(response);
      },
      (e: unknown) => {
        const d = toDapError(e);
        if (d.internal) this.sendEvent(new OutputEvent(`${d.detail ?? d.format}\n`, 'stderr'));
        // DAP's format substitutes only {names} given in variables (none here); a brace is no
        // escape in it, so text with braces ({x: 1}, a struct) goes through as it is
        this.sendErrorResponse(response, { id: d.id, format: d.format, showUser: d.showUser });
      },
    );
  }

  private get gdb(): GdbSession {
    if (!this.debuggee || this.ended) throw errors.badRequest('There is no debug session running.');
    return this.debuggee.gdb;
  }

  private stopped(): GdbSession {
    const gdb = this.gdb;
    if (gdb.running) throw errors.notStopped();
    return gdb;
  }

  // --- lifecycle ------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progress = args.supportsProgressReporting === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', '>', '-'],
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsValueFormattingOptions: true,
      // not offered: QEMU is the adapter's child (its console a pipe to it), so a launched VM
      // cannot outlive the session; a launch always ends the VM, an attach always detaches
      supportTerminateDebuggee: false,
      supportsBreakpointLocationsRequest: false,
      supportsExceptionInfoRequest: true,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments & LaunchArgs): void {
    this.run(response, () => this.begin({ kind: 'launch', args }));
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse, args: DebugProtocol.AttachRequestArguments & AttachArgs): void {
    this.run(response, () => this.begin({ kind: 'attach', args }));
  }

  private async begin(start: StartArgs): Promise<void> {
    this.startArgs = start;
    await this.boot(start.kind === 'launch');
    if (start.kind === 'attach') this.sendEvent(new InitializedEvent());
  }

  /**
   * Builds, boots and connects (launch) or connects (attach); on failure nothing is left running.
   * `early`: `initialized` goes out before the boot, so that the client's breakpoint requests and
   * its configurationDone travel while QEMU and gdb start (a workbench's round trip is not on
   * the way to the first stop); the breakpoints are inserted once gdb is connected.
   */
  private async boot(early = false): Promise<void> {
    const start = this.startArgs!;
    this.ended = false;
    this.configured = false;
    this.bootFailed = false;
    const id = `minnow-${++this.progressId}`;
    if (this.progress) this.sendEvent(new ProgressStartEvent(id, start.kind === 'launch' ? 'Starting Minnow' : 'Attaching'));
    const d = new Debuggee(
      {
        output: (text, category) => this.sendEvent(new OutputEvent(text, category)),
        progress: (message) => this.progress && this.sendEvent(new ProgressUpdateEvent(id, message)),
        ended: (message, code) => this.onEnded(d, message, code),
      },
      start.kind === 'launch' ? start.args.gdbPath || 'gdb' : undefined,
    );
    this.debuggee = d;
    this.wire(d.gdb);
    if (this.bps) {
      this.stack!.reset(d.gdb);
      this.vars!.reset(d.gdb);
    } else {
      this.bps = new Breakpoints(d.gdb);
      this.stack = new Stack(d.gdb);
      this.vars = new Variables(d.gdb, this.stack);
    }
    let open: (() => void) | undefined;
    if (early) {
      this.early = [];
      this.bootGate = new Promise<void>((r) => (open = r));
      this.sendEvent(new InitializedEvent());
    }
    try {
      if (start.kind === 'launch') await d.launch(start.args);
      else await d.attach(start.args);
      for (const apply of this.early) await apply().catch((e: unknown) => this.internalError(e));
    } catch (e) {
      this.bootFailed = true;
      await d.shutdown(false).catch(() => undefined);
      throw e;
    } finally {
      if (this.progress) this.sendEvent(new ProgressEndEvent(id));
      this.early = [];
      this.bootGate = undefined;
      open?.();
    }
  }

  /**
   * While booting, a breakpoint request is answered at once (unverified, with the ids it will
   * keep) and `insert` runs once gdb is connected; its results reach the client as `changed`
   * breakpoint events. Returns undefined when not booting.
   */
  private whileBooting(
    bps: readonly object[],
    source: DebugProtocol.Source | undefined,
    insert: (ids: number[]) => Promise<DebugProtocol.Breakpoint[]>,
  ): { breakpoints: DebugProtocol.Breakpoint[] } | undefined {
    if (!this.bootGate) return undefined;
    const ids = this.bps!.reserve(bps.length);
    this.early.push(async () => {
      for (const b of await insert(ids)) this.sendEvent(new BreakpointEvent('changed', b));
    });
    const lineOf = (b: object): number | undefined => ('line' in b && typeof b.line === 'number' ? b.line : undefined);
    return { breakpoints: bps.map((b, i) => ({ id: ids[i], verified: false, line: lineOf(b), source, message: PENDING_MESSAGE })) };
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.run(response, async () => {
      // after a failed launch (which said why) there is nothing to run
      if (this.bootFailed) return;
      this.configured = true;
      await this.resumeAfterBoot();
    });
  }

  /** After connecting: run to main (stopOnEntry) or just run. */
  private async resumeAfterBoot(): Promise<void> {
    const gdb = this.gdb;
    if (this.startArgs?.args.stopOnEntry) {
      // attached to a kernel already past its start (not waiting before main: `minnow.gdb=wait`
      // stops in init_main right before it calls main, older kernels inside the stub): stay
      const func = this.debuggee?.connectStopFunc ?? '';
      const waitingBeforeMain = func === 'init_main' || func.startsWith('gdbstub_');
      if (this.startArgs.kind === 'attach' && !waitingBeforeMain) {
        this.sendEvent(new StoppedEvent('entry', this.lastThreadId));
        return;
      }
      await mi.breakInsert(gdb, { location: 'main', temporary: true });
      this.entryPending = true;
    }
    await this.resume('continue');
  }

  private entryPending = false;
  /** the thread of the last stop, for events gdb gives no thread for */
  private lastThreadId = 1;
  /** the last exception stop, for exceptionInfo */
  private lastException?: { id: string; description: string };

  private onEnded(d: Debuggee, message: string, code?: number): void {
    if (d !== this.debuggee || this.ended) return;
    this.ended = true;
    this.sendEvent(new OutputEvent(`minnow: ${message}\n`, 'important'));
    if (code !== undefined) this.sendEvent(new ExitedEvent(code));
    this.sendEvent(new TerminatedEvent());
    void d.shutdown(false);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    this.run(response, async () => {
      const d = this.debuggee;
      if (!d) return;
      this.ended = true;
      const detach = d.kind === 'attach' ? args?.terminateDebuggee !== true : args?.terminateDebuggee === false;
      await d.shutdown(detach);
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.run(response, async () => {
      const d = this.debuggee;
      if (!d) return;
      this.ended = true;
      await d.shutdown(false);
      this.sendEvent(new TerminatedEvent());
    });
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.run(response, async () => {
      if (!this.startArgs) throw errors.badRequest('Nothing to restart.');
      const old = this.debuggee;
      this.debuggee = undefined;
      if (old) await old.shutdown(old.kind === 'attach');
      const newArgs = args?.arguments as (LaunchArgs & AttachArgs) | undefined;
      if (newArgs) this.startArgs = { kind: this.startArgs.kind, args: newArgs } as StartArgs;
      await this.boot();
      await this.bps!.reinsert(this.gdb);
      this.configured = true;
      await this.resumeAfterBoot();
    });
  }

  // --- gdb events -> DAP events --------------------------------------------------------------

  private wire(gdb: GdbSession): void {
    gdb.on('stopped', (e) => {
      this.onStopped(gdb, e).catch((err: unknown) => this.internalError(err));
    });
    gdb.on('running', () => {
      this.stack?.invalidate();
      void this.vars?.invalidate();
    });
    gdb.on('stream', (s) => {
      if (s.kind === 'target') this.sendEvent(new OutputEvent(s.text, 'stdout'));
      // a gdb being shut down (restart, disconnect) says nothing the user asked about
      else if (s.kind === 'log' && this.quiet === 0 && gdb === this.debuggee?.gdb && !this.ended && /warning|error|cannot|fail/i.test(s.text)) this.sendEvent(new OutputEvent(s.text, 'console'));
    });
    gdb.on('unknown', (line) => this.sendEvent(new OutputEvent(`gdb: ${line}\n`, 'console')));
    gdb.on('aborted', (a) => {
      if (gdb !== this.debuggee?.gdb) return;
      this.sendEvent(new OutputEvent(`gdb could not resume the kernel: ${a.message} (see the messages above)\n`, 'important'));
      const ev = new StoppedEvent('exception', this.lastThreadId, a.message) as DebugProtocol.StoppedEvent;
      ev.body.description = `Could not resume: ${a.message}`;
      ev.body.allThreadsStopped = true;
      this.sendEvent(ev);
    });
    gdb.on('notify', (n) => {
      if (gdb !== this.debuggee?.gdb) return;
      if (n.asyncClass === 'breakpoint-modified') {
        const b = tuple(n.results.bkpt);
        const dap = b && this.bps?.changed(toBreakpoint(b));
        if (dap) this.sendEvent(new BreakpointEvent('changed', dap));
      } else if (n.asyncClass === 'thread-created' || n.asyncClass === 'thread-exited') {
        const id = Number(n.results.id);
        if (Number.isFinite(id) && this.configured) this.sendEvent(new ThreadEvent(n.asyncClass === 'thread-created' ? 'started' : 'exited', id));
      }
    });
  }

  private async onStopped(gdb: GdbSession, e: GdbStop): Promise<void> {
    if (gdb !== this.debuggee?.gdb || e.internal || this.ended) return;
    this.stack?.invalidate();
    void this.vars?.invalidate();
    if (!this.configured) return; // the stop on connect; configurationDone decides what follows
    if (e.reason === 'exited' || e.reason === 'exited-normally' || e.reason === 'exited-signalled') return;
    const verdict = this.bps!.classify(e, this.pauseRequested);
    if (verdict.action === 'report' && verdict.reason === 'data breakpoint' && e.threadId !== undefined) {
      this.stack!.markDataStop(e.threadId);
    }
    if (verdict.action === 'continue') {
      await this.resume('continue').catch(() => undefined);
      return;
    }
    if (verdict.action === 'log') {
      const text = await this.interpolate(gdb, verdict.message, e.threadId);
      this.sendEvent(new OutputEvent(`${text}\n`, 'console'));
      await this.resume('continue').catch(() => undefined);
      return;
    }
    this.pauseRequested = false;
    let reason = verdict.reason;
    if (reason === 'exception') {
      // the stub's record of the exception words it better than the signal does
      const fault = verdict.text === 'SIGTRAP' ? undefined : await readFault(gdb);
      if (fault) verdict.description = `${fault.description} (${e.signalName})`;
      this.vars!.setFault(fault, e.threadId);
      this.lastException = { id: verdict.text ?? 'exception', description: verdict.description ?? 'exception' };
    }
    if (this.entryPending && (reason === 'breakpoint' || reason === 'step')) {
      this.entryPending = false;
      if (e.frame?.func === 'main') reason = 'entry';
    }
    this.lastThreadId = e.threadId ?? this.lastThreadId;
    const ev = new StoppedEvent(reason, this.lastThreadId, verdict.text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (verdict.description) ev.body.description = verdict.description;
    if (verdict.hitBreakpointIds) ev.body.hitBreakpointIds = verdict.hitBreakpointIds;
    this.sendEvent(ev);
  }

  /** A logpoint's message with each {expression} evaluated in the stopped thread's top frame. */
  private async interpolate(gdb: GdbSession, message: string, thread?: number): Promise<string> {
    const parts = message.split(/(\{[^{}]+\})/);
    const out: string[] = [];
    for (const p of parts) {
      if (/^\{[^{}]+\}$/.test(p)) {
        out.push(await mi.evaluate(gdb, p.slice(1, -1), { thread, frame: 0 }).catch((err: Error) => `<${err.message}>`));
      } else out.push(p);
    }
    return out.join('');
  }

  // --- execution ------------------------------------------------------------------------------

  private async resume(kind: mi.StepKind, thread?: number): Promise<void> {
    const gdb = this.stopped();
    this.stack!.invalidate();
    // the step goes first; deleting the stop's variable objects needs no stopped target
    const resumed = mi.exec(gdb, kind, thread);
    void this.vars!.invalidate();
    await resumed;
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.run(response, async () => {
      await this.resume('continue');
      return { allThreadsContinued: true };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.run(response, () => this.resume(args.granularity === 'instruction' ? 'nexti' : 'next', args.threadId));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.run(response, () => this.resume(args.granularity === 'instruction' ? 'stepi' : 'step', args.threadId));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.run(response, () => this.resume('finish', args.threadId));
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.run(response, async () => {
      const gdb = this.gdb;
      if (!gdb.running) return;
      this.pauseRequested = true;
      await gdb.interrupt();
    });
  }

  // --- breakpoints ----------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.run(response, async () => {
      const path = args.source.path;
      if (!path) throw errors.badRequest('Breakpoints need a source with a path.');
      const bps = args.breakpoints ?? [];
      const early = this.whileBooting(bps, args.source, (ids) => this.bps!.setSource(path, bps, ids));
      if (early) return early;
      this.gdb;
      return { breakpoints: await this.bps!.setSource(path, bps) };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.run(response, async () => this.whileBooting(args.breakpoints, undefined, (ids) => this.bps!.setFunctions(args.breakpoints, ids)) ?? (this.gdb, { breakpoints: await this.bps!.setFunctions(args.breakpoints) }));
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.run(response, async () => this.whileBooting(args.breakpoints, undefined, (ids) => this.bps!.setInstructions(args.breakpoints, ids)) ?? (this.gdb, { breakpoints: await this.bps!.setInstructions(args.breakpoints) }));
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.run(response, async () => this.vars!.dataBreakpointInfo(args));
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.run(response, async () => this.whileBooting(args.breakpoints, undefined, (ids) => this.bps!.setData(args.breakpoints, ids)) ?? (this.gdb, { breakpoints: await this.bps!.setData(args.breakpoints) }));
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.run(response, async () => {
      if (this.bootGate) {
        this.early.push(async () => this.bps?.setExceptionFilters(args.filters));
        return;
      }
      await this.bps?.setExceptionFilters(args.filters);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.run(response, async () => {
      const x = this.lastException ?? { id: 'unknown', description: 'No exception' };
      return { exceptionId: x.id, description: x.description, breakMode: 'always' as const };
    });
  }

  // --- threads, stack, variables --------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.run(response, async () => {
      if (!this.debuggee || this.ended) return { threads: [] };
      return { threads: await this.stack!.threads() };
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.run(response, async () => (this.stopped(), this.stack!.stackTrace(args)));
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.run(response, async () => ({ scopes: this.vars!.scopes(args.frameId) }));
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.run(response, async () => (this.stopped(), { variables: await this.vars!.variables(args) }));
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.run(response, async () => (this.stopped(), this.vars!.setVariable(args)));
  }

  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    this.run(response, async () => (this.stopped(), this.vars!.setExpression(args)));
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.run(response, async () => (this.gdb, this.vars!.evaluate(args, (t) => this.sendEvent(new OutputEvent(t, 'console')))));
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.run(response, async () => (this.gdb, { targets: await this.vars!.completions(args) }));
  }

  // --- memory, disassembly, sources ------------------------------------------------------------

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.run(response, async () => readMemory(this.stopped(), args));
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.run(response, async () => writeMemory(this.stopped(), args));
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.run(response, async () => ({ instructions: await disassemble(this.stopped(), args) }));
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.run(response, async () => {
      const files = await mi.sourceFiles(this.stopped());
      const seen = new Set<string>();
      const sources: DebugProtocol.Source[] = [];
      for (const f of files) {
        const path = f.fullname ?? f.file;
        if (!path || seen.has(path)) continue;
        seen.add(path);
        sources.push({ name: path.split('/').pop(), path });
      }
      return { sources };
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    this.run(response, async () => {
      const path = args.source?.path;
      if (!path) throw errors.badRequest('Only sources with a path can be shown.');
      try {
        return { content: readFileSync(path, 'utf8'), mimeType: 'text/x-c' };
      } catch (e) {
        throw errors.badRequest(`Cannot read ${path}: ${(e as Error).message}`);
      }
    });
  }

  // --- Minnow's own requests -------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (!isMinnowRequest(command)) {
      super.customRequest(command, response, args);
      return;
    }
    const problem = argsProblem(command, args);
    if (problem) {
      this.run(response, async () => {
        throw errors.badRequest(`${problem}.`);
      });
      return;
    }
    switch (command) {
      case 'minnow/kernelInfo':
        this.run(response, async () => {
          const gdb = this.gdb;
          this.quiet++;
          try {
            const hosts = this.debuggee?.mountHosts ?? {};
            return await gdb.whileStopped(() => kernelInfo(gdb, hosts));
          } finally {
            this.quiet--;
          }
        });
        return;
      case 'minnow/processes':
        // for tests and bug reports: which processes this session owns
        this.run(response, async () => ({ adapter: process.pid, qemu: this.debuggee?.qemu?.pid, gdb: this.debuggee?.gdb.pid, port: this.debuggee?.qemu?.port }));
        return;
      case 'minnow/focusThread':
        // VS Code has no API to select a thread; it focuses the thread of a stopped event
        this.run(response, async () => {
          const { threadId } = args as RequestArgs<'minnow/focusThread'>;
          this.stopped();
          const ev = new StoppedEvent('pause', threadId) as DebugProtocol.StoppedEvent;
          ev.body.allThreadsStopped = true;
          ev.body.preserveFocusHint = false;
          setImmediate(() => this.sendEvent(ev));
          return {};
        });
        return;
      case 'minnow/consoleInput':
        this.run(response, async () => {
          const { text } = args as RequestArgs<'minnow/consoleInput'>;
          if (!this.debuggee?.qemu) throw errors.badRequest('There is no guest console in an attach session.');
          this.debuggee.qemu.writeConsole(text);
        });
        return;
    }
  }
}
