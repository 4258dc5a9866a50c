// `npm run bench` stopped from outside leaves nothing running: a bench killed with SIGTERM (a CI
// runner) or SIGINT (Ctrl-C) while a measure's QEMU runs kills that QEMU and every other process
// it started before it exits. Each child runs in a process group of its own, so nothing else
// would stop them (a Linux peer QEMU was once left behind). The real bench, the real QEMU: the
// test waits for a qemu-system process among the bench's descendants, signals the bench and
// checks that none of the processes it had started is alive afterwards.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** R, S, D, Z (a zombie: dead, waiting to be reaped)... */
  state: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close), state };
  } catch {
    return undefined;
  }
}

/** Every process below `root` (children, grandchildren...), from /proc. */
function descendants(root: number): Proc[] {
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => p.pid !== root && below.has(p.pid));
}

/** alive: it exists and is no zombie (a zombie has exited; only its parent's reaping is left) */
function alive(pid: number): boolean {
  const p = readProc(pid);
  return p !== undefined && p.state !== 'Z';
}

async function until<T>(what: string, ms: number, f: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the bench, signals it once a QEMU of its runs, and checks that all it started is gone. */
async function stopDuringQemu(only: string, sig: NodeJS.Signals): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-bench-signal-'));
  const bench = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', only, '--out', path.join(dir, 'results.json')], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  bench.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => bench.once('exit', (code, signal) => r({ code, signal })));
  let started: Proc[] = [];
  try {
    const pid = bench.pid!;
    const qemu = await until(`a qemu-system process of the bench (${only})`, 240_000, () => {
      if (bench.exitCode !== null) assert.fail(`the bench ended before it started QEMU:\n${stderr}`);
      const below = descendants(pid);
      const q = below.find((p) => p.comm.startsWith('qemu-system') && p.state !== 'Z');
      if (q) started = below;
      return q;
    });
    assert.ok(alive(qemu.pid), `QEMU runs when the signal is sent\n${stderr}`);
    bench.kill(sig);
    const end = await exited;
    const left = started.filter((p) => alive(p.pid) && readProc(p.pid)?.comm === p.comm);
    assert.deepEqual(left.map((p) => `${p.pid} ${p.comm}`), [], `processes the bench started outlived it\n${stderr}`);
    assert.ok(!alive(qemu.pid), `QEMU ${qemu.pid} is gone\n${stderr}`);
    assert.equal(end.code, 128 + os.constants.signals[sig], `exit ${end.code} ${end.signal ?? ''}\n${stderr}`);
    assert.match(stderr, new RegExp(`bench: stopped by ${sig}`));
    // the measure cut short has no figures: nothing may replace a real results.json with them
    assert.ok(!fs.existsSync(path.join(dir, 'results.json')), 'a stopped run writes no results');
  } finally {
    if (bench.exitCode === null && bench.signalCode === null) bench.kill('SIGKILL');
    for (const p of started) if (alive(p.pid) && readProc(p.pid)?.comm === p.comm) process.kill(p.pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run bench stopped by a signal', function () {
  this.timeout(300_000);

  it('SIGTERM while a measure runs QEMU (threads): QEMU and every child are gone, exit 143', async () => {
    await stopDuringQemu('threads', 'SIGTERM');
  });

  it('SIGINT while the DAP measure debugs (adapter, gdb, QEMU): all gone, exit 130', async () => {
    await stopDuringQemu('dap', 'SIGINT');
  });
});
