// `npm test`: installs what is missing, builds, typechecks, then runs every suite in turn and
// prints one summary. Every suite runs even when an earlier one fails, so one red suite does not
// hide the state of the others; the exit code is non-zero if anything failed.
// `node scripts/test.mjs unit kernel` runs only the named suites.
import { spawn } from 'node:child_process';

const SUITES = ['unit', 'kernel', 'cli', 'gdbstub', 'adapter', 'virtio', 'fs', 'net', 'web', 'bench', 'e2e'];

// Runs one step with its output streamed live and kept, to read mocha's counts from it.
function step(label, cmd, args) {
  console.log(`\n=== ${label}`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (status) => {
      // a suite may run mocha more than once (gdbstub: once per transport): add them up
      const sum = (re) => [...out.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      const passing = sum(/(\d+) passing/g);
      const failing = sum(/(\d+) failing/g);
      resolve({ label, ok: status === 0, passing, failing, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const only = process.argv.slice(2);
const suites = only.length > 0 ? only : SUITES;
const unknown = suites.filter((s) => !SUITES.includes(s));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
  process.exit(2);
}

const results = [];
for (const [label, args] of [['setup', ['scripts/setup.mjs']], ['build', ['scripts/build.mjs']]]) {
  const r = await step(label, process.execPath, args);
  if (!r.ok) {
    console.error(`${label} failed; no suite was run`);
    process.exit(1);
  }
}
results.push(await step('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']));
for (const s of suites) results.push(await step(s, 'npm', ['run', '--silent', `test:${s}`]));

console.log('\n=== summary');
for (const r of results) {
  const counts = r.label === 'typecheck' ? '' : `${r.passing} passed, ${r.failing} failed`;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.label.padEnd(10)} ${counts.padEnd(24)} ${r.seconds.toFixed(0)} s`);
}
const passed = results.reduce((n, r) => n + r.passing, 0);
const failed = results.reduce((n, r) => n + r.failing, 0) + results.filter((r) => !r.ok && r.failing === 0).length;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
