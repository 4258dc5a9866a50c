// `npm run test:gdbstub`: the gdbstub suites (test/gdbstub) once over each of the stub's transports,
// COM2 (the UART every hypervisor has) and the virtio console (microvm's fast path). Both runs
// happen even if the first fails; the exit code is non-zero if either did.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TRANSPORTS = ['com2', 'virtio'];
const MOCHA = fileURLToPath(new URL('../node_modules/mocha/bin/mocha.js', import.meta.url));
let failed = false;
for (const transport of TRANSPORTS) {
  console.log(`\n--- gdbstub over ${transport}`);
  const r = spawnSync(process.execPath, [MOCHA, '--config', 'test/mocharc.json', 'test/gdbstub/**/*.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, MINNOW_GDB_TRANSPORT: transport },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
