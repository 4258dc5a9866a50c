/*
 * Test harness for the gdbstub suites: builds test/gdbstub/app with the
 * repository's kernel (MINNOW_KERNEL overrides the kernel folder), boots it
 * in QEMU TCG with the stub's transport on a free 127.0.0.1 port, runs gdb
 * in batch mode, and finds source lines by their "// #name" markers. Every
 * child is spawned with an argument array and killed when the test is done.
 * The transport is COM2, or the stub's virtio console with
 * MINNOW_GDB_TRANSPORT=virtio (`npm run test:gdbstub` runs the suites once
 * with each).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { marker as markerIn } from '../markers';

export const APP_DIR = path.join(__dirname, 'app');
export const APP_SOURCE = path.join(APP_DIR, 'main.c');

export type Transport = 'com2' | 'virtio';

/** The transport these suites run over (MINNOW_GDB_TRANSPORT, default com2). */
export const TRANSPORT: Transport = (() => {
  const t = process.env.MINNOW_GDB_TRANSPORT ?? 'com2';
  if (t !== 'com2' && t !== 'virtio') throw new Error(`MINNOW_GDB_TRANSPORT is "${t}"; use com2 or virtio`);
  return t;
})();

export function kernelDir(): string {
  return process.env.MINNOW_KERNEL ?? path.resolve(__dirname, '../../kernel');
}

const builtElves = new Map<string, string>();

/**
 * Builds a test application (default: app/, named gdbtest) once per process; returns the ELF
 * path.
 */
export function buildTestApp(appDir = APP_DIR, name = 'gdbtest'): string {
  const known = builtElves.get(appDir);
  if (known) return known;
  const buildDir = path.join(os.tmpdir(), `minnow-gdbstub-test-${name}-${process.getuid?.() ?? 0}`);
  const r = spawnSync(
    'make',
    ['-s', '-C', kernelDir(), `APP_DIR=${appDir}`, `APP_NAME=${name}`, 'APP_SRCS=main.c', `BUILD_DIR=${buildDir}`],
    { encoding: 'utf8', timeout: 300000 },
  );
  if (r.status !== 0) throw new Error(`building the test app failed:\n${r.stdout}\n${r.stderr}`);
  // a private copy: another process rebuilding the shared build directory
  // must not swap the ELF under QEMU while our symbols stay the old ones.
  // The DWARF is in gdbtest.debug, which gdb looks for next to the ELF (the
  // ELF's .gnu_debuglink names it), so it comes along.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-gdbstub-elf-'));
  const elf = path.join(dir, `${name}.elf`);
  fs.copyFileSync(path.join(buildDir, `${name}.elf`), elf);
  // (a kernel Makefile that keeps the DWARF in the ELF writes no .debug)
  const debug = path.join(buildDir, `${name}.debug`);
  if (fs.existsSync(debug)) fs.copyFileSync(debug, path.join(dir, `${name}.debug`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  builtElves.set(appDir, elf);
  return elf;
}

/** Line number (1-based) of the line carrying "// #name" in the test application. */
export function marker(name: string): number {
  return markerIn(APP_SOURCE, name);
}

const givenPorts = new Set<number>();

/** A free 127.0.0.1 port, never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address() as net.AddressInfo;
        srv.close(() => resolve(a.port));
      });
    });
    if (!givenPorts.has(port)) {
      givenPorts.add(port);
      return port;
    }
  }
}

export interface VmOptions {
  /** words for the kernel command line after the options (argv[1..]) */
  args?: string[];
  /** minnow.gdb=wait: stop before main until gdb continues */
  wait?: boolean;
  /** also start QEMU's own gdbstub on another port */
  qemuStub?: boolean;
  /** -S: the CPU waits for QEMU's gdbstub to continue */
  freeze?: boolean;
  /** leave the stub's transport out: the stub must switch itself off */
  noCom2?: boolean;
  /** the stub's transport; default TRANSPORT */
  transport?: Transport;
  /** CPUs (-smp, TCG with a thread per CPU); default 1 */
  cpus?: number;
  /** -m; default 16M */
  memory?: string;
}

export interface Vm {
  port: number;
  qemuPort?: number;
  child: ChildProcess;
  console(): string;
  exited: Promise<number | null>;
  waitConsole(re: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function bootVm(elf: string, opts: VmOptions = {}): Promise<Vm> {
  const port = await freePort();
  const qemuPort = opts.qemuStub ? await freePort() : undefined;
  const transport = opts.transport ?? TRANSPORT;
  const append = [
    opts.wait === false ? '' : 'minnow.gdb=wait',
    transport === 'virtio' ? 'minnow.gdb.transport=virtio' : '',
    ...(opts.args ?? []),
  ].filter(Boolean).join(' ');
  const argv = [
    '-M', 'microvm,pic=off,pit=off,rtc=off,acpi=off,x-option-roms=off',
    ...(opts.cpus && opts.cpus > 1 ? ['-smp', String(opts.cpus), '-accel', 'tcg,thread=multi'] : []),
    '-cpu', 'max', '-m', opts.memory ?? '16M', '-no-reboot', '-nodefaults', '-nographic',
    '-kernel', elf, '-append', append,
    '-serial', 'stdio',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
  if (!opts.noCom2) {
    argv.push('-chardev', `socket,id=gdbcom2,host=127.0.0.1,port=${port},server=on,wait=off,nodelay=on`);
    if (transport === 'virtio') {
      argv.push('-global', 'virtio-mmio.force-legacy=false');
      argv.push('-device', 'virtio-serial-device,id=gdbser', '-device', 'virtconsole,chardev=gdbcom2,bus=gdbser.0');
    } else {
      argv.push('-device', 'isa-serial,chardev=gdbcom2,index=1');
    }
  }
  if (qemuPort) argv.push('-gdb', `tcp:127.0.0.1:${qemuPort}`);
  if (opts.freeze) argv.push('-S');
  const child = spawn('qemu-system-x86_64', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const listeners: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners.splice(0)) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      for (const l of listeners.splice(0)) l();
      resolve(code);
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const vm: Vm = {
    port,
    qemuPort,
    child,
    console: () => out,
    exited,
    async waitConsole(re, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m[0];
        if (done) throw new Error(`QEMU exited before ${re}; console:\n${out}`);
        if (Date.now() > deadline) throw new Error(`timeout waiting for ${re}; console:\n${out}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 200);
          listeners.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    async kill() {
      if (done) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  return vm;
}

export interface GdbResult {
  output: string;
  status: number | null;
}

/** Runs gdb in batch mode with one -ex per command; output is stdout+stderr. */
export function runGdb(elf: string, commands: string[], timeoutMs = 120000): Promise<GdbResult> {
  const argv = ['-nx', '-q', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', 'set width 0'];
  for (const c of commands) argv.push('-ex', c);
  argv.push(elf);
  return new Promise((resolve, reject) => {
    const child = spawn('gdb', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gdb timed out; output so far:\n${output}`));
    }, timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(t);
      live.delete(child);
      resolve({ output, status });
    });
  });
}

export function target(vm: Vm): string {
  return `target remote 127.0.0.1:${vm.port}`;
}

/** The symbol table: the build strips the ELF and keeps the symbols in <name>.debug beside it. */
export function symbols(elf: string): Map<string, bigint> {
  const debug = elf.replace(/\.elf$/, '.debug');
  const r = spawnSync('nm', [fs.existsSync(debug) ? debug : elf], { encoding: 'utf8' });
  const m = new Map<string, bigint>();
  for (const line of r.stdout.split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (name) m.set(name, BigInt(`0x${addr}`));
  }
  return m;
}
