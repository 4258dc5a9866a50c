// Entry point of dist/debugAdapter.js: DAP over stdin/stdout. Whatever ends this process (the
// client closing the pipe, a signal, a crash of the adapter itself) also ends gdb and QEMU, so no
// process outlives the session.

import { DebugSession } from '@vscode/debugadapter';
import { killGdbAhead, startGdbAhead } from './debuggee';
import { MinnowDebugSession } from './session';
import { killAllChildren, trace } from '../target';

trace('adapter-process', { started: Math.round(performance.timeOrigin) });

function cleanup(): void {
  killGdbAhead();
  try {
    MinnowDebugSession.current?.killNow();
  } catch {
    // going down anyway
  }
  killAllChildren();
}

process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}
process.on('uncaughtException', (e) => {
  process.stderr.write(`minnow debug adapter crashed: ${e.stack ?? e}\n`);
  cleanup();
  process.exit(70);
});
// a promise nobody awaited failed: a bug, but not one worth ending the user's session for
process.on('unhandledRejection', (e) => {
  if (MinnowDebugSession.current) MinnowDebugSession.current.internalError(e);
  else process.stderr.write(`minnow debug adapter: ${String(e)}\n`);
});
// the client went away without a disconnect: nothing is left to serve
process.stdin.on('end', () => {
  cleanup();
  process.exit(0);
});

// started by the extension ahead of a launch (while its build runs): gdb starts now too
if (process.env.MINNOW_GDB_AHEAD) startGdbAhead(process.env.MINNOW_GDB_AHEAD);

DebugSession.run(MinnowDebugSession);
