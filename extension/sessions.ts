// Follows Minnow debug sessions through the DAP messages the adapter sends (a tracker sees
// them before the UI does): stops refresh the Kernel view, guest output goes to the Minnow
// console terminal, the first output or stop marks the instance as booted.

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { checkApp } from './apps';
import { DEBUG_TYPE } from './debugConfig';
import type { GuestConsole } from './guestConsole';
import type { KernelView } from './kernelView';
import type { InstanceStatus } from './statusBar';
import { trace } from './trace';

interface DapMessage {
  type?: string;
  event?: string;
  body?: Record<string, unknown>;
}

export class SessionWatcher implements vscode.DebugAdapterTrackerFactory {
  /**
   * Per session: when its adapter was created and when the guest first spoke or stopped. The
   * kernel can boot and print before VS Code reports the session started (a launch runs to main
   * while the workbench is still opening its views), so the status item learns it then.
   */
  private readonly times = new Map<string, { created: number; booted?: number }>();

  constructor(
    private readonly view: KernelView,
    private readonly guest: GuestConsole,
    private readonly status: InstanceStatus,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, this),
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        trace('session-start', { name: s.name });
        const target = s.configuration.request === 'attach' ? String(s.configuration.target) : undefined;
        const times = this.times.get(s.id);
        this.status.start({ kind: 'session', session: s, name: appName(s), started: times?.created ?? Date.now(), attachedTo: target });
        if (times?.booted !== undefined) this.status.booted((i) => i.kind === 'session' && i.session?.id === s.id, times.booted);
        this.guest.ensure();
        this.guest.attach(s);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        trace('session-end', { name: s.name });
        this.times.delete(s.id);
        this.status.end((i) => i.kind === 'session' && i.session.id === s.id);
        this.guest.detach(s, 'the instance stopped');
        this.view.ended(s);
      }),
    ];
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const isThis = (i: { kind: string; session?: vscode.DebugSession }): boolean => i.kind === 'session' && i.session?.id === session.id;
    const times: { created: number; booted?: number } = { created: Date.now() };
    this.times.set(session.id, times);
    const booted = (): void => {
      times.booted ??= Date.now();
      this.status.booted(isThis, times.booted);
    };
    return {
      onDidSendMessage: (m: DapMessage) => {
        if (m.type !== 'event') return;
        switch (m.event) {
          case 'stopped':
            trace('stopped', { reason: m.body?.reason, threadId: m.body?.threadId });
            booted();
            this.view.stopped(session);
            break;
          case 'continued':
            this.view.running();
            break;
          case 'output': {
            const category = m.body?.category;
            const text = typeof m.body?.output === 'string' ? m.body.output : '';
            if (category === 'stdout' && text) {
              booted();
              this.guest.write(text);
              trace('guest-output', { text });
            }
            break;
          }
          case 'exited':
            trace('exited', { exitCode: m.body?.exitCode });
            break;
          case 'terminated':
            trace('terminated', {});
            break;
        }
      },
      onError: (e) => trace('adapter-error', { message: e.message }),
      onExit: (code, signal) => trace('adapter-exit', { code: code ?? null, signal: signal ?? null }),
    };
  }
}

/** The application's name from its minnow.json, else its folder's name, else the session's. */
function appName(s: vscode.DebugSession): string {
  const program = s.configuration.program;
  if (s.configuration.request === 'attach' && typeof program === 'string') return basename(program, '.elf');
  const app = s.configuration.app;
  if (typeof app !== 'string' || !app) return s.name;
  const checked = checkApp(app);
  if (checked.ok) return checked.app.name;
  return app.split(/[\\/]/).filter(Boolean).pop() ?? s.name;
}
