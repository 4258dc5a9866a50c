// `minnow debug [dir]`: build, boot with a gdbstub on a free 127.0.0.1 port, print how to attach,
// then behave like `run` (console on stdout, the application's exit code). By default the stub is
// the kernel's own, on a virtio console on microvm (COM2 elsewhere, or with --gdb-transport com2);
// --qemu-gdbstub uses QEMU's stub instead, with the CPU frozen at reset (-S) so that even the boot
// code can be debugged.
//
// stdout gets exactly one line "gdb: target remote 127.0.0.1:PORT" and one ready-to-paste gdb
// command, before any console output (which is held back until they are printed).

import { GDB_TRANSPORTS, isMinnowError, qemuOptionsFor, shellQuote, startQemu, type GdbTransport, type QemuInstance, type StartQemuOptions } from '../../target';
import { parseArgs, positionalsAtMost, UsageError, type Specs } from '../args';
import { EXIT, forwardStdin, loadAndBuild, qemuStderr, reportExit, vmChoices, VM_SPECS, warnAboutKvm } from '../common';
import type { Io } from '../io';

export const DEBUG_USAGE = 'minnow debug [dir] [options] [-- args for main]';
export const DEBUG_SPECS: Specs = {
  ...VM_SPECS,
  wait: { kind: 'boolean', help: 'stop in the kernel stub before main until gdb continues (minnow.gdb=wait)' },
  'qemu-gdbstub': { kind: 'boolean', help: "use QEMU's own gdbstub (-gdb, CPU frozen at reset) instead of the kernel's" },
  port: { kind: 'number', value: 'PORT', help: 'gdbstub port on 127.0.0.1 (default: a free one)' },
  'gdb-transport': { kind: 'string', value: 'virtio|com2', help: "the kernel stub's line to gdb: a virtio console (default on microvm, fastest) or the COM2 UART" },
};

export async function debugCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, DEBUG_SPECS, 'debug');
  positionalsAtMost(p, 1, 'debug', DEBUG_USAGE);
  const app = await loadAndBuild(p, io.err, { qemu: true });
  const v = vmChoices(p, app);
  warnAboutKvm(v, io.err);
  const qemuStub = p.options['qemu-gdbstub'] === true;
  const transport = p.options['gdb-transport'] as string | undefined;
  if (transport !== undefined && !(GDB_TRANSPORTS as readonly string[]).includes(transport)) {
    throw new UsageError(`--gdb-transport is "${transport}"`, "Use --gdb-transport virtio (microvm's default) or --gdb-transport com2.");
  }
  let held: string[] | undefined = [];
  const options: StartQemuOptions = {
    ...qemuOptionsFor(app),
    ...v,
    gdbstub: {
      kind: qemuStub ? 'qemu' : 'kernel',
      port: p.options.port as number | undefined,
      wait: qemuStub ? true : p.options.wait === true,
      transport: transport as GdbTransport | undefined,
    },
    onConsole: (text) => (held ? held.push(text) : io.out(text)),
    onStderr: qemuStderr(io.err),
  };
  let q: QemuInstance;
  try {
    q = await startQemu(options);
  } catch (e) {
    // QEMU refused to start (a bad qemuArgs value): the run contract's "QEMU failed", as for run
    if (!isMinnowError(e) || e.kind !== 'qemu') throw e;
    io.err(`minnow: error: ${e.message}\n  fix: ${e.fix}\n`);
    return EXIT.vm;
  }
  const target = `127.0.0.1:${q.port}`;
  io.out(`gdb: target remote ${target}\n`);
  io.out(`${shellQuote(['gdb', '-ex', `target remote ${target}`, app.elf])}\n`);
  if (qemuStub) io.err(`minnow: QEMU's gdbstub is waiting at the reset vector; attach gdb and continue\n`);
  else if (p.options.wait) io.err('minnow: the kernel will wait in its gdbstub before main; attach gdb and continue\n');
  const early = held.join('');
  held = undefined;
  if (early) io.out(early);
  const stopStdin = forwardStdin(q);
  const exit = await q.exited;
  stopStdin();
  return reportExit(exit, (line) => io.err(line + '\n'));
}
