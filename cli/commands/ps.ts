// `minnow ps [--all] [--json]`: the instances, like `docker ps`: running ones by default, every
// one with --all (finished ones with how they ended: "exited (3)", "exited (killed)"). --json
// prints the records themselves, for scripts.

import { instancePorts, listInstances, statusText, type Instance } from '../../target';
import { parseArgs, positionalsAtMost, type Specs } from '../args';
import type { Io } from '../io';

export const PS_USAGE = 'minnow ps [options]';
export const PS_SPECS: Specs = {
  all: { kind: 'boolean', short: 'a', help: 'finished instances too' },
  json: { kind: 'boolean', help: 'one JSON array of the instance records' },
  quiet: { kind: 'boolean', short: 'q', help: 'names only' },
};

/** "45s", "12m3s", "2h5m", "3d4h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** UPTIME: how long it has run (running), or how long it ran (finished). */
function uptime(i: Instance, now: number): string {
  if (i.startedAt === undefined) return '-';
  return duration((i.finishedAt ?? now) - i.startedAt);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd() + '\n').join('');
}

export async function psCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, PS_SPECS, 'ps');
  positionalsAtMost(p, 0, 'ps', PS_USAGE);
  const all = listInstances();
  const shown = p.options.all ? all : all.filter((i) => i.status !== 'exited');
  if (p.options.json) {
    io.out(JSON.stringify(shown.map((i) => ({ ...i, statusText: statusText(i), ports: instancePorts(i) })), null, 2) + '\n');
    return 0;
  }
  if (p.options.quiet) {
    io.out(shown.map((i) => `${i.name}\n`).join(''));
    return 0;
  }
  const now = Date.now();
  const rows = [['NAME', 'APP', 'MACHINE', 'STATUS', 'UPTIME', 'PID', 'PORTS']];
  for (const i of shown) {
    rows.push([i.name, i.app, i.machine, statusText(i), uptime(i, now), i.alive && i.qemu ? String(i.qemu.pid) : '-', (i.status === 'exited' ? [] : instancePorts(i)).join(', ') || '-']);
  }
  io.out(table(rows));
  if (!p.options.all && all.length > shown.length) io.err(`minnow: ${all.length - shown.length} finished instance(s) not shown (minnow ps --all)\n`);
  return 0;
}
