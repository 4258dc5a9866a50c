// Bundles the three programs Minnow ships into dist/: the extension (loaded by VS Code),
// the debug adapter (a separate process speaking DAP over stdio) and the CLI.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'extension/extension.ts', out: 'dist/extension.js' },
  { in: 'debug-adapter/main.ts', out: 'dist/debugAdapter.js' },
  { in: 'cli/main.ts', out: 'dist/cli.js' },
];

const watch = process.argv.includes('--watch');
for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    logLevel: watch ? 'info' : 'warning',
  });
}
