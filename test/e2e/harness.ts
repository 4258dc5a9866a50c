// Drives a real VS Code for the end-to-end tests: code-server (VS Code 1.100 in a browser) in a
// fresh user-data and extensions folder with the packaged .vsix installed, and headless Debian
// Chromium through playwright-core. Everything it starts runs in its own process group and is
// killed at the end. Waiting is always on a condition (a selector, a trace line), never a sleep.
// Recipe: notes/vscode-e2e.md.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { lineOf, marker } from '../markers';
import type { BrowserContext, Locator, Page } from 'playwright-core';

export const REPO = resolve(__dirname, '..', '..');
export const RESULTS = join(REPO, 'test-results', 'e2e');

export interface E2ePaths {
  codeServer: string;
  chromium: string;
}

/** Installs what is missing (fast when installed) and returns where code-server and Chromium are. */
export function ensureE2eTools(): E2ePaths {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'e2e-setup.mjs'), '--print'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/e2e-setup.mjs failed (status ${r.status})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as E2ePaths;
}

let packaged: string | undefined;

/** Builds dist/ and packages the extension once per test run; returns the .vsix path. */
export function packageExtension(): string {
  if (packaged) return packaged;
  // MINNOW_E2E_VSIX=<file> tests a given .vsix instead of packaging the working tree
  if (process.env.MINNOW_E2E_VSIX) return (packaged = resolve(process.env.MINNOW_E2E_VSIX));
  mkdirSync(RESULTS, { recursive: true });
  const build = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  const out = join(RESULTS, 'minnow.vsix');
  const vsce = join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  packaged = out;
  return out;
}

export interface StartOptions {
  workspace: string;
  vsix: string;
  tools: E2ePaths;
  /** Extra environment for code-server (reaches the extension host). */
  env?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
}

/** Reads the extension's trace (MINNOW_TRACE): one JSON object per line. */
export class Trace {
  constructor(readonly file: string) {
    writeFileSync(file, '');
  }

  events(): Array<Record<string, unknown> & { event: string }> {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
  }

  /** Resolves with the first event (after `from` events) that matches; rejects after the timeout. */
  async waitFor(
    match: (e: Record<string, unknown> & { event: string }) => boolean,
    what: string,
    timeoutMs = 60_000,
    from = 0,
  ): Promise<Record<string, unknown> & { event: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events().slice(from).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for trace: ${what}\ntrace so far:\n${readFileSync(this.file, 'utf8')}`);
      }
      await condition(100);
    }
  }

  get length(): number {
    return this.events().length;
  }

  /** Waits until the guest console output (it arrives in pieces) contains `text`. */
  async waitForGuestText(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = this.events()
        .filter((e) => e.event === 'guest-output')
        .map((e) => String(e.text))
        .join('');
      if (all.includes(text)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for guest output ${JSON.stringify(text)}; got ${JSON.stringify(all)}`);
      await condition(100);
    }
  }
}

/** The poll interval of a condition wait (not a sleep: the caller re-checks a condition). */
function condition(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class VsCode {
  page!: Page;
  readonly trace: Trace;
  private server: ChildProcess | undefined;
  private context: BrowserContext | undefined;
  private serverLog = '';
  readonly root: string;
  private shot = 0;

  constructor(readonly name: string) {
    this.root = mkdtempSync(join(tmpdir(), `minnow-e2e-${name}-`));
    this.trace = new Trace(join(this.root, 'trace.jsonl'));
    rmSync(join(RESULTS, name), { recursive: true, force: true });
  }

  async start(opts: StartOptions): Promise<void> {
    const dirs = ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'home', 'chromium'];
    for (const d of dirs) mkdirSync(join(this.root, d), { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: join(this.root, 'home'),
      XDG_CONFIG_HOME: join(this.root, 'xdg-config'),
      XDG_DATA_HOME: join(this.root, 'xdg-data'),
      XDG_CACHE_HOME: join(this.root, 'xdg-cache'),
      MINNOW_TRACE: this.trace.file,
      ...opts.env,
    };
    const common = ['--user-data-dir', join(this.root, 'user-data'), '--extensions-dir', join(this.root, 'extensions')];
    const inst = spawnSync(process.execPath, [opts.tools.codeServer, ...common, '--install-extension', opts.vsix], { env, encoding: 'utf8' });
    if (inst.status !== 0) throw new Error(`installing the .vsix failed:\n${inst.stdout}\n${inst.stderr}`);
    // A user settings file: no welcome page, no trust prompt, no telemetry; deterministic layout.
    const userDir = join(this.root, 'user-data', 'User');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(
      join(userDir, 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'security.workspace.trust.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.ignoreRecommendations': true,
          'update.mode': 'none',
          'editor.minimap.enabled': false,
          'workbench.enableExperiments': false,
          'chat.disableAIFeatures': true,
          'debug.toolBarLocation': 'floating',
          // the DOM renderer keeps terminal text in the page, where tests can read it
          'terminal.integrated.gpuAcceleration': 'off',
          // QEMU's gdb port is not a web application to open in a browser
          'remote.autoForwardPorts': false,
          ...opts.settings,
        },
        null,
        2,
      ),
    );
    this.server = spawn(
      process.execPath,
      [
        opts.tools.codeServer,
        '--auth',
        'none',
        '--bind-addr',
        '127.0.0.1:0',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        ...common,
        opts.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`code-server did not start:\n${this.serverLog}`)), 60_000);
      const onData = (b: Buffer): void => {
        this.serverLog += b.toString();
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(this.serverLog);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      };
      this.server!.stdout!.on('data', onData);
      this.server!.stderr!.on('data', onData);
      this.server!.on('exit', (code) => rej(new Error(`code-server exited (${code}):\n${this.serverLog}`)));
    });
    this.context = await chromium.launchPersistentContext(join(this.root, 'chromium'), {
      executablePath: opts.tools.chromium,
      headless: true,
      viewport: { width: 1440, height: 900 },
      env: { ...env, HOME: join(this.root, 'home') } as Record<string, string>,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    // MINNOW_E2E_CPU_THROTTLE=<n>: the page runs n times slower (Chromium's CPU throttling), to
    // bring out the races a loaded machine brings out, on purpose
    const throttle = Number(process.env.MINNOW_E2E_CPU_THROTTLE ?? 1);
    if (throttle > 1) await (await this.context.newCDPSession(this.page)).send('Emulation.setCPUThrottlingRate', { rate: throttle });
    this.page.on('console', (m) => {
      const t = m.text();
      if (t.includes('[Extension Host]') || m.type() === 'error') this.serverLog += `[page ${m.type()}] ${t}\n`;
    });
    await this.page.goto(`${url}?folder=${encodeURIComponent(opts.workspace)}`);
    await this.waitForWorkbench();
  }

  async waitForWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.part.statusbar').waitFor({ timeout: 90_000 });
  }

  /**
   * After a command that opens `folder` (New Project): waits for the page to load that folder's
   * workbench. The old page's workbench stays in place until the reload, so waiting for the
   * workbench alone could pass on the folder being left.
   */
  async waitForFolder(folder: string): Promise<void> {
    await this.page.waitForURL((u) => u.searchParams.get('folder') === folder, { timeout: 90_000 });
    await this.waitForWorkbench();
  }

  /** Saves a numbered screenshot into test-results/e2e/<scenario>/. */
  async screenshot(step: string): Promise<string> {
    const dir = join(RESULTS, this.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${String(++this.shot).padStart(2, '0')}-${step}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Reports a UI step that is being asked again (in the test output and the scenario's log), so
   * that a run which passed only after retries says so.
   */
  private retrying(what: string, e: unknown): void {
    const first = ((e as Error)?.message ?? String(e)).split('\n')[0];
    const line = `retrying ${what}: ${first}`;
    console.log(`      [${this.name}] ${line}`);
    this.serverLog += `[e2e] ${line}\n`;
  }

  /** The text box of the quick input widget (command palette, Quick Open, Go to Line, quick picks). */
  private get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget input');
  }

  /**
   * Closes the quick input if one is shown. VS Code closes it by itself when it loses focus, so
   * a picker opened while something else (the walkthrough, an editor opening) was about to take
   * focus may already be gone, or be closing: every helper that opens one starts from here.
   */
  private async closeQuickInput(): Promise<void> {
    if (!(await this.quickInputBox.isVisible())) return;
    await this.page.keyboard.press('Escape');
    await this.quickInputBox.waitFor({ state: 'hidden', timeout: 5_000 });
  }

  /**
   * Opens a quick input with `key` and waits for its text box; the caller fills it in. Any quick
   * input left open is closed first (its list would cover the editor and take the keys).
   */
  private async openQuickInput(key: string): Promise<Locator> {
    await this.closeQuickInput();
    await this.page.keyboard.press(key);
    await this.quickInputBox.waitFor({ timeout: 10_000 });
    return this.quickInputBox;
  }

  /**
   * Focus the editor area so that keyboard shortcuts reach the workbench. An open quick input
   * would cover the point clicked (the click would wait for it, or pick one of its rows): it is
   * closed first.
   */
  async focusEditor(): Promise<void> {
    await this.closeQuickInput();
    await this.page.locator('.part.editor').click({ position: { x: 400, y: 300 } });
  }

  /**
   * Runs a command through the command palette (F1), by its title. The palette is asked again
   * when it never lists the command (right after startup the extension host may still be reading
   * its extensions) or closes before the row is clicked (focus taken meanwhile), until a minute
   * has passed. A click that went through is never repeated, so a command runs at most once.
   */
  async command(title: string): Promise<void> {
    // visible rows only: a closed palette keeps its last rows in the page, hidden
    const row = this.page.locator('.quick-input-list .monaco-list-row:visible', { hasText: title }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const input = await this.openQuickInput('F1');
        await input.fill(`>${title}`);
        await row.waitFor({ timeout: 3_000 });
        await row.click({ timeout: 5_000 });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`the command palette did not run "${title}": ${(e as Error).message}`);
        this.retrying(`the command palette for "${title}"`, e);
      }
    }
  }

  /** Picks a row of an open quick pick by its text. */
  async pick(text: string): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row:visible', { hasText: text }).first();
    await row.waitFor();
    await row.click();
  }

  /**
   * Runs a command that opens a quick pick, then picks `text` in it. If the pick closes before its
   * row is clicked (focus taken meanwhile), the command is run again, three times at most; a
   * command that was cancelled that way has done nothing yet.
   */
  async commandThenPick(title: string, text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.command(title);
      try {
        const row = this.page.locator('.quick-input-list .monaco-list-row:visible', { hasText: text }).first();
        await row.waitFor({ timeout: 15_000 });
        await row.click({ timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 3) throw e;
        this.retrying(`"${title}" then "${text}"`, e);
      }
    }
  }

  /**
   * Answers a folder picker. code-server shows VS Code's "simple file dialog": a quick input
   * holding a path. Typing the folder with a trailing slash navigates into it; Enter on the
   * folder itself accepts it.
   */
  async chooseFolder(folder: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    const want = folder.endsWith('/') ? folder : `${folder}/`;
    // The dialog fills in its start folder asynchronously and may append to what was typed
    // meanwhile: wait until it shows a path of its own, then type ours, and check it stuck.
    await this.page.waitForFunction(
      (sel) => /^\/.*\/$/.test((globalThis as any).document.querySelector(sel)?.value ?? ''),
      '.quick-input-widget input',
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      await input.fill(want);
      const message = this.page.locator('.quick-input-widget .quick-input-message', { hasText: /does not exist/ });
      try {
        await this.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 2_000 });
      } catch {
        // an empty folder may list nothing; the value check below decides
      }
      if ((await input.inputValue()) === want && !(await message.isVisible())) break;
      if (Date.now() > deadline) throw new Error(`the folder picker did not take ${want}`);
    }
    await this.screenshot('folder-typed');
    const ok = this.page.locator('.quick-input-widget .monaco-button:visible', { hasText: /Create Here|OK/ }).first();
    await ok.click();
  }

  /** Runs "Minnow: New Project…": picks `template`, then `folder`, which opens in the workbench. */
  async newProject(template: string, folder: string): Promise<void> {
    await this.focusEditor();
    await this.commandThenPick('Minnow: New Project…', template);
    await this.screenshot('template-picked');
    await this.chooseFolder(folder);
  }

  notification(text: string | RegExp): Locator {
    // fade-in-done: the toast has finished sliding in (screenshots show it whole)
    return this.page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text }).first();
  }

  /**
   * Opens a file by path with Quick Open (Ctrl+P) and waits for its tab to be the active one. On a
   * loaded machine the picker sometimes never lists a path typed before it was ready, or closes
   * (focus taken by the walkthrough or an editor opening) between being opened and the click,
   * leaving a hidden row behind (both seen in CI for a file outside the workspace; the closed
   * picker also fails the fill): the whole step is asked again, three times at most. Opening a
   * file twice opens one tab, so a repeat is harmless.
   */
  async openFile(path: string): Promise<void> {
    const name = path.split('/').pop() ?? path;
    // the list first shows recently opened files: wait for the row of this one
    const row = this.page.locator('.quick-input-list .monaco-list-row:visible', { hasText: name }).first();
    const tab = this.page.locator('.tabs-container .tab.active', { hasText: name });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.focusEditor();
        const input = await this.openQuickInput('Control+P');
        await input.fill(path);
        await row.waitFor({ timeout: 15_000 });
        await row.click({ timeout: 5_000 });
        await tab.waitFor({ timeout: 15_000 });
        return;
      } catch (e) {
        if (attempt === 3) throw new Error(`Quick Open did not open ${path} (3 attempts): ${(e as Error).message}`);
        this.retrying(`Quick Open of ${name}`, e);
      }
    }
  }

  /** The active editor (its text, gutter and line numbers). */
  private get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The line number shown for `line` in the active editor's gutter when the cursor is on it. */
  private activeLineNumber(line: number): Locator {
    return this.activeEditor.locator('.margin-view-overlays .line-numbers.active-line-number', { hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  }

  /**
   * Moves the cursor of the active editor to a 1-based line (Ctrl+G) and waits until the gutter
   * marks that line as the cursor's: then the editor has scrolled to it and drawn it. Go to Line
   * is a picker like Quick Open and can be closed the same way before Enter: asked again, three
   * times at most (moving the cursor twice to one line is harmless).
   */
  async gotoLine(line: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const input = await this.openQuickInput('Control+G');
        await input.fill(`:${line}`);
        // the picker has parsed the line once its label says so; Enter before that can be lost
        await this.page.locator(`.quick-input-widget input[aria-label*="line ${line}"]`).waitFor({ timeout: 10_000 });
        await input.press('Enter', { timeout: 5_000 });
        await input.waitFor({ state: 'hidden', timeout: 5_000 });
        await this.activeLineNumber(line).waitFor({ timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 3) throw new Error(`Go to Line did not reach line ${line} (3 attempts): ${(e as Error).message}`);
        this.retrying(`Go to Line ${line}`, e);
      }
    }
  }

  /**
   * Sets a breakpoint by clicking the gutter (the glyph margin left of the line numbers) of a
   * 1-based line of the active editor, and waits for the red dot on that line (not just any new
   * dot: a click at a line that had moved would set one elsewhere).
   */
  async breakpointInGutter(line: number): Promise<void> {
    await this.gotoLine(line);
    const box = await this.activeLineNumber(line).boundingBox();
    if (!box) throw new Error(`line ${line} is not visible`);
    const number = this.activeEditor.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
    const dots = this.activeEditor.locator('.codicon-debug-breakpoint');
    // the glyph margin sits just left of the line numbers
    await this.page.mouse.click(box.x - 8, box.y + box.height / 2);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = await number.boundingBox({ timeout: 5_000 }).catch(() => null);
      const centres = await dots.evaluateAll((els) => els.map((el) => {
        const r = el.getBoundingClientRect();
        return r.top + r.height / 2;
      }));
      if (now && centres.some((y) => y > now.y && y < now.y + now.height)) return;
      if (Date.now() > deadline) {
        await this.screenshot(`no-breakpoint-on-line-${line}`);
        throw new Error(`no breakpoint dot on line ${line} after clicking its gutter (dots at y ${centres.join(', ') || 'none'}, line at y ${now?.y ?? '?'})`);
      }
      await condition(100);
    }
  }

  /**
   * Waits until the workbench itself shows the debuggee paused: the debug toolbar offers Continue
   * (it offers Pause while running). The extension's trace sees a `stopped` event before the
   * workbench has fetched the threads and switched to the paused state, and F5 or F10 pressed in
   * between is dropped (their keybindings need that state).
   */
  async waitForPaused(timeout = 30_000): Promise<void> {
    await this.page.locator('.debug-toolbar .codicon-debug-continue:visible').first().waitFor({ timeout });
  }

  /**
   * "Remove All Breakpoints", then waits until no breakpoint dot is shown. The palette runs the
   * command after its click returns, so a key pressed at once (F5, Shift+F5) could run first and
   * continue into a breakpoint still set; once the dots are gone VS Code has updated its model
   * and started sending the removal to the adapter, ahead of any later request.
   */
  async removeAllBreakpoints(): Promise<void> {
    await this.command('Remove All Breakpoints');
    await this.page.locator('.codicon-debug-breakpoint:visible').first().waitFor({ state: 'detached', timeout: 15_000 });
  }

  /** The rows of a view's list (Call Stack, Variables, Debug Console...), as text. */
  async rows(selector: string): Promise<string[]> {
    return this.page.locator(`${selector} .monaco-list-row`).allTextContents();
  }

  get log(): string {
    return this.serverLog;
  }

  /** Closes Chromium and kills code-server's whole process group (extension host, adapter...). */
  async stop(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    this.context = undefined;
    const server = this.server;
    this.server = undefined;
    if (server?.pid && server.exitCode === null) {
      const gone = new Promise<void>((r) => server.once('exit', () => r()));
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-server.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await gone;
      clearTimeout(timer);
    }
    writeFileSync(join(RESULTS, `${this.name}.log`), this.serverLog);
  }

  /** Removes this run's folders and the scratch folders of the test (after a pass). */
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
    for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

const scratch: string[] = [];

/** A fresh empty folder under the system temp folder, removed by VsCode.cleanup(). */
export function scratchDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `minnow-e2e-${what}-`));
  scratch.push(dir);
  return dir;
}

/** A fresh temporary folder holding a copy of examples/<name> (without build output). */
export function copyExample(name: string): string {
  const dir = scratchDir(`app-${name}`);
  const src = join(REPO, 'examples', name);
  for (const f of readdirSync(src)) {
    if (f === 'build') continue;
    spawnSync('cp', ['-r', join(src, f), dir]);
  }
  return dir;
}

/** Source lines by marker or by text: test/markers.ts. */
export { lineOf, marker };

/** Starts the VS Code of one test; see useVsCode. */
export type OpenVsCode = (name: string, workspace: string, options?: Pick<StartOptions, 'env' | 'settings'>) => Promise<VsCode>;

/**
 * The set-up every scenario file shares, called inside its describe(): the tools and the .vsix
 * once; after each test a screenshot if it failed, VS Code stopped, and its folders removed if it
 * passed. Returns the function that starts a test's VS Code, named `name` (its screenshots and
 * log in test-results/e2e/), on `workspace`.
 */
export function useVsCode(): OpenVsCode {
  let tools: E2ePaths;
  let vsix: string;
  let vsc: VsCode | undefined;

  before(() => {
    tools = ensureE2eTools();
    vsix = packageExtension();
  });

  afterEach(async function () {
    if (vsc && this.currentTest?.state === 'failed') await vsc.screenshot('failure').catch(() => undefined);
    await vsc?.stop();
    if (this.currentTest?.state === 'passed') vsc?.cleanup();
    vsc = undefined;
  });

  return async (name, workspace, options = {}) => {
    // set before starting, so that the hook above stops a VS Code that failed to start
    vsc = new VsCode(name);
    await vsc.start({ workspace, vsix, tools, ...options });
    return vsc;
  };
}

/** Pids of live processes whose command line contains every needle (e.g. "qemu-system", an app dir). */
export function processesMatching(...needles: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (needles.every((n) => cmd.includes(n)) && Number(entry) !== process.pid) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
