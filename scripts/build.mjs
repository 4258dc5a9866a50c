// Bundles the three programs Minnow ships into dist/: the extension (loaded by VS Code),
// the debug adapter (a separate process speaking DAP over stdio) and the CLI.
// `--only cli` (or extension, debugAdapter) builds just that one: bin/minnow uses it so that a
// half-written extension never stops the CLI from building. `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const entries = [
  { name: 'extension', in: 'extension/extension.ts', out: 'dist/extension.js' },
  { name: 'debugAdapter', in: 'debug-adapter/main.ts', out: 'dist/debugAdapter.js' },
  { name: 'cli', in: 'cli/main.ts', out: 'dist/cli.js' },
];

const argv = process.argv.slice(2);
const watch = argv.includes('--watch');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
if (only !== undefined && !entries.some((e) => e.name === only)) {
  console.error(`build.mjs: --only takes one of ${entries.map((e) => e.name).join(', ')}`);
  process.exit(2);
}

// The schema's component names come from kernel/components.mk (scripts/sync-schema.ts); it is
// bundled into the programs, so it is brought up to date first.
const sync = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sync-schema.ts'], { stdio: 'inherit' });
if (sync.status !== 0) process.exit(sync.status ?? 1);

for (const e of entries) {
  if (only !== undefined && e.name !== only) continue;
  if (!existsSync(e.in)) continue;
  const options = {
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    logLevel: watch ? 'info' : 'warning',
  };
  if (watch) {
    await (await context(options)).watch();
    continue;
  }
  // Write through a temporary file and rename, so that a program started while we build (two
  // bin/minnow calls at once) never loads a half-written bundle.
  const result = await build({ ...options, write: false });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}
