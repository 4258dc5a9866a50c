// What the Instances view shows of the VMs `minnow run -d` started (target/instances.ts keeps
// them under the user's cache; `minnow ps` lists the same), without any VS Code API so that unit
// tests can check it: one row per instance, running first, then the finished ones newest first.

import { consoleLog, instancePorts, statusText, type Instance } from '../target';

export interface InstanceRow {
  name: string;
  label: string;
  description: string;
  tooltip: string;
  /** menus key on it: running instances can be stopped (and attached to with a gdbstub), finished ones removed */
  contextValue: 'minnow.instance.running' | 'minnow.instance.debuggable' | 'minnow.instance.finished';
  icon: 'vm-running' | 'debug' | 'vm-outline' | 'error';
}

/** "3 s", "4 min", "2 h": how long ago `ms` was, at `now`. */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function instanceRow(i: Instance, now = Date.now()): InstanceRow {
  const running = i.status !== 'exited';
  const status = statusText(i);
  const ports = instancePorts(i);
  const since = running ? (i.startedAt ? `up ${ago(i.startedAt, now)}` : '') : i.finishedAt ? `${ago(i.finishedAt, now)} ago` : '';
  const failed = i.status === 'exited' && (i.error !== undefined || (i.exit !== undefined && i.exit.reason !== 'exit' && i.exit.reason !== 'stopped') || (i.exit?.code ?? 0) !== 0);
  const tooltip = [
    `${i.name}: ${i.app} on ${i.machine}, ${status}${since ? `, ${since}` : ''}`,
    i.qemu ? `QEMU pid ${i.qemu.pid}` : '',
    ...ports,
    i.error ? `${i.error.message} ${i.error.fix}` : i.exit?.summary ?? '',
    `console: ${consoleLog(i)}`,
  ].filter(Boolean).join('\n');
  return {
    name: i.name,
    label: i.name,
    description: [status, i.app, since, ...ports.filter((p) => !p.startsWith('console'))].filter(Boolean).join(' · '),
    tooltip,
    contextValue: !running ? 'minnow.instance.finished' : i.gdbPort !== undefined ? 'minnow.instance.debuggable' : 'minnow.instance.running',
    icon: running ? (i.gdbPort !== undefined ? 'debug' : 'vm-running') : failed ? 'error' : 'vm-outline',
  };
}

/** Running instances first (oldest first, as started), then finished ones, newest first. */
export function instanceRows(list: Instance[], now = Date.now()): InstanceRow[] {
  const running = list.filter((i) => i.status !== 'exited').sort((a, b) => a.createdAt - b.createdAt);
  const done = list.filter((i) => i.status === 'exited').sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt));
  return [...running, ...done].map((i) => instanceRow(i, now));
}

/** The launch configuration that attaches the debugger to an instance started with --debug. */
export function attachConfig(i: Instance): { type: string; request: string; name: string; target: string; program: string } | undefined {
  if (i.status === 'exited' || i.gdbPort === undefined) return undefined;
  return { type: 'minnow', request: 'attach', name: `Minnow: attach to ${i.name}`, target: `127.0.0.1:${i.gdbPort}`, program: i.elf };
}
