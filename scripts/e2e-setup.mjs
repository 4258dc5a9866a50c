// Installs what the end-to-end tests need to drive a real VS Code: code-server (VS Code in a
// browser, pinned to the VS Code version in engines.vscode) in a cache folder outside
// node_modules, and Debian's Chromium for playwright-core. Idempotent: a second run only checks.
// Recipe and pitfalls: /work/shared/notes/vscode-e2e.md.
//
//   node scripts/e2e-setup.mjs            install what is missing
//   node scripts/e2e-setup.mjs --print    also print the paths as JSON on the last line
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, chmodSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, runs on Node 20
const RIPGREP_WRAPPER_VERSION = '1.15.11'; // what code-server 4.100.3 depends on
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const RIPGREP_BINARY_PACKAGE = '@vscode/ripgrep-linux-x64@1.18.0'; // ships the same rg
const CHROMIUM = '/usr/bin/chromium';

export function e2ePaths() {
  const cache = process.env.MINNOW_E2E_CACHE || join(homedir(), '.cache', 'minnow-e2e');
  const prefix = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  return {
    cache,
    prefix,
    codeServer: join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: CHROMIUM,
    marker: join(prefix, '.installed'),
  };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  }
  return r;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function ensureAptPackages() {
  const missing = ['chromium', 'libkrb5-dev'].filter((p) => !dpkgInstalled(p));
  if (missing.length === 0 && existsSync(CHROMIUM)) return;
  console.log(`e2e-setup: apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

// @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it first
// looks in $TMPDIR/vscode-ripgrep-cache-<version>/, so we put the same binary there.
function fillRipgrepCache(tmp) {
  const cacheDir = join(tmp, `vscode-ripgrep-cache-${RIPGREP_WRAPPER_VERSION}`);
  const asset = join(cacheDir, RIPGREP_ASSET);
  if (existsSync(asset)) return;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'minnow-rg-'));
  try {
    run('npm', ['pack', RIPGREP_BINARY_PACKAGE, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${RIPGREP_BINARY_PACKAGE} produced no tarball`);
    run('tar', ['xzf', tgz], { cwd: work });
    const stage = join(work, 'stage');
    mkdirSync(stage);
    copyFileSync(join(work, 'package', 'bin', 'rg'), join(stage, 'rg'));
    chmodSync(join(stage, 'rg'), 0o755);
    run('tar', ['czf', asset, '-C', stage, 'rg']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function ensureCodeServer(paths) {
  if (existsSync(paths.marker) && existsSync(paths.codeServer)) return;
  console.log(`e2e-setup: installing code-server ${CODE_SERVER_VERSION} into ${paths.prefix} (about 80 s)`);
  const tmp = join(paths.cache, 'tmp');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(paths.prefix, { recursive: true });
  fillRipgrepCache(tmp);
  writeFileSync(join(paths.prefix, 'package.json'), JSON.stringify({ name: 'minnow-e2e-code-server', private: true }) + '\n');
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    // npm 11 skips dependency install scripts unless approved; code-server's postinstall runs
    // nested `npm install`s (lib/vscode, its extensions) whose native modules need theirs too,
    // and a nested install has no package.json allowScripts of ours. This tree is pinned.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  run('npm', ['install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], { cwd: paths.prefix, env });
  if (!existsSync(paths.codeServer)) throw new Error(`code-server entry point missing: ${paths.codeServer}`);
  writeFileSync(paths.marker, new Date().toISOString() + '\n');
}

function main() {
  const paths = e2ePaths();
  ensureAptPackages();
  ensureCodeServer(paths);
  if (process.argv.includes('--print')) {
    console.log(JSON.stringify({ codeServer: paths.codeServer, chromium: paths.chromium }));
  } else {
    console.log(`e2e-setup: code-server ${CODE_SERVER_VERSION} and Chromium are ready`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (e) {
    console.error(`e2e-setup: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
