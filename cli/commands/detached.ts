// `minnow run -d`: the VM runs in the background as a named instance (target/instances.ts). The
// instance's name is the one line on stdout (scripts capture it: NAME=$(minnow run -d)); how to
// follow, attach and stop it goes to stderr. `--debug` gives it the kernel's gdbstub on a free
// 127.0.0.1 port, recorded for `minnow ps` and the extension's Instances view.

import { qemuOptionsFor, startInstance, type AppConfig } from '../../target';
import { UsageError, type Parsed, type Specs } from '../args';
import { vmChoices } from '../common';
import type { Io } from '../io';

export const DETACH_SPECS: Specs = {
  detach: { kind: 'boolean', short: 'd', help: 'run in the background as a named instance and print its name (see minnow ps, logs, stop)' },
  name: { kind: 'string', value: 'NAME', help: 'with -d: the instance name (default: <app>-<n>)' },
  debug: { kind: 'boolean', help: "with -d: the kernel's gdbstub on a free 127.0.0.1 port (attach later: minnow ps shows it)" },
  wait: { kind: 'boolean', help: 'with -d --debug: the kernel waits in its gdbstub before main until gdb continues' },
  rm: { kind: 'boolean', help: 'with -d: remove the instance when it ends' },
};

/** Throws when an option of -d is used without it. */
export function checkDetachOptions(p: Parsed): void {
  if (p.options.detach) {
    if (p.options.wait && !p.options.debug) throw new UsageError('--wait needs --debug', 'Write minnow run -d --debug --wait.');
    return;
  }
  for (const o of ['name', 'debug', 'wait', 'rm']) {
    if (p.options[o] !== undefined) throw new UsageError(`--${o} works only with -d (a background instance)`, `Add -d, or use minnow debug for a foreground debug run.`);
  }
}

export async function runDetached(p: Parsed, app: AppConfig, io: Io): Promise<number> {
  const v = vmChoices(p, app);
  const s = await startInstance(
    {
      name: p.options.name as string | undefined,
      app: app.name,
      appDir: app.dir,
      hostForwards: app.network?.backend === 'user' ? app.network.hostForwards : [],
      removeWhenDone: p.options.rm === true,
      qemu: {
        ...qemuOptionsFor(app),
        machine: v.machine,
        accel: v.accel,
        cpus: v.cpus,
        qemuPath: v.qemuPath,
        timeoutMs: v.timeoutMs,
        argv: v.argv,
        kernelOptions: v.kernelOptions,
        gdbstub: p.options.debug ? { kind: 'kernel', wait: p.options.wait === true } : undefined,
      },
    },
    { execPath: process.execPath, args: [...process.execArgv, process.argv[1]] },
  );
  io.out(`${s.name}\n`);
  if (s.gdbPort !== undefined) io.err(`minnow: gdb: target remote 127.0.0.1:${s.gdbPort} (program: ${s.elf})\n`);
  io.err(`minnow: ${s.name} runs in the background: minnow logs -f ${s.name}, minnow stop ${s.name}\n`);
  return 0;
}
