// A debugger session for the stub benchmarks: QEMU started through the target API with either
// the kernel's gdbstub (minnow.gdb=wait; over its virtio console or COM2) or QEMU's own (-gdb, -S), and gdb driven over
// MI by the adapter's own layer (debug-adapter/gdb), so the figures are those the adapter gets.
// `timed` measures one command from the moment it is written until gdb reports *stopped.

import { GdbSession, mi, type StoppedEvent } from '../../debug-adapter/gdb';
import { qemuOptionsFor, startQemu, type AppConfig, type GdbTransport, type QemuInstance } from '../../target';

export type StubKind = 'kernel' | 'qemu';

export interface DebugSession {
  gdb: GdbSession;
  qemu: QemuInstance;
  /** Runs `op` (which makes the target run) and resolves with the ms until it stopped again. */
  timed(op: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

const STOP_TIMEOUT_MS = 60_000;

async function expectStop(gdb: GdbSession, op: () => Promise<unknown>): Promise<StoppedEvent> {
  const stopped = gdb.waitStopped(STOP_TIMEOUT_MS);
  stopped.catch(() => undefined); // op's failure is the one reported
  await op();
  const e = await stopped;
  if (e.reason === 'exited-normally' || e.reason === 'exited' || e.signalName === 'SIGSEGV') {
    throw new Error(`the target stopped with ${e.reason} ${e.signalName ?? ''}`);
  }
  return e;
}

/** Boots `app` with the given stub (and transport), connects gdb and runs until `stopAt` (a function). */
export async function openSession(app: AppConfig, stub: StubKind, stopAt: string, transport?: GdbTransport): Promise<DebugSession> {
  const qemu = await startQemu({ ...qemuOptionsFor(app), accel: 'tcg', gdbstub: { kind: stub, wait: true, transport }, timeoutMs: 600_000 });
  const gdb = new GdbSession();
  const close = async (): Promise<void> => {
    gdb.kill();
    await qemu.kill();
  };
  try {
    await gdb.start('gdb', [app.elf]);
    await mi.gdbSet(gdb, 'pagination', 'off');
    await mi.targetRemote(gdb, `127.0.0.1:${qemu.port}`, 30_000);
    await mi.breakInsert(gdb, { location: stopAt, hardware: stub === 'qemu' });
    const hit = await expectStop(gdb, () => mi.exec(gdb, 'continue'));
    if (hit.frame?.func !== stopAt) throw new Error(`expected a stop in ${stopAt}, got ${hit.reason} in ${hit.frame?.func}`);
    await gdb.send('-break-delete');
  } catch (e) {
    await close();
    throw e;
  }
  return {
    gdb,
    qemu,
    async timed(op) {
      const t0 = performance.now();
      await expectStop(gdb, op);
      return performance.now() - t0;
    },
    close,
  };
}

