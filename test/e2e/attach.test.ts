// Attach: `minnow debug --wait` boots an application with the kernel's stub waiting on a port;
// an "attach" configuration in launch.json connects VS Code to it, a breakpoint in main is hit,
// and disconnecting lets the application run to its end.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { copyExample, lineOf, processesMatching, REPO, useVsCode } from './harness';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

describe('e2e: attach to minnow debug', function () {
  this.timeout(240_000);
  const openVsCode = useVsCode();
  let cli: ReturnType<typeof spawn> | undefined;

  // after useVsCode's hook: VS Code has disconnected by now
  afterEach(() => {
    if (cli?.pid && cli.exitCode === null) process.kill(-cli.pid, 'SIGTERM');
  });

  it('attaches, stops at a breakpoint in main, detaches and the application finishes', async () => {
    const app = copyExample('threads');
    const port = await freePort();
    cli = spawn(process.execPath, [join(REPO, 'dist', 'cli.js'), 'debug', app, '--wait', '--port', String(port)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((res) => cli!.once('exit', (code) => res(code)));
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`minnow debug printed no gdb line:\n${out}`)), 120_000);
      cli!.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes(`target remote 127.0.0.1:${port}`)) {
          clearTimeout(timer);
          res();
        }
      });
      cli!.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      cli!.once('exit', (code) => rej(new Error(`minnow debug exited (${code}):\n${out}`)));
    });
    mkdirSync(join(app, '.vscode'), { recursive: true });
    writeFileSync(
      join(app, '.vscode', 'launch.json'),
      JSON.stringify({
        version: '0.2.0',
        configurations: [
          { type: 'minnow', request: 'attach', name: 'Minnow: attach', target: `127.0.0.1:${port}`, program: '${workspaceFolder}/build/threads.elf' },
        ],
      }),
    );
    const vsc = await openVsCode('attach', app);
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.openFile('main.c');
    await vsc.breakpointInGutter(lineOf(join(app, 'main.c'), 'prod = thread_create("producer"'));
    await vsc.page.keyboard.press('F5');
    await vsc.page.locator('.debug-call-stack', { hasText: /Paused on breakpoint/i }).waitFor({ timeout: 120_000 });
    await vsc.page.locator('.debug-call-stack .monaco-list-row', { hasText: 'worker-1' }).first().waitFor();
    await vsc.page.locator('.statusbar-item', { hasText: `threads · attached to 127.0.0.1:${port}` }).first().waitFor();
    await vsc.screenshot('attached-paused-in-main');
    await vsc.removeAllBreakpoints();
    await vsc.page.keyboard.press('Shift+F5');
    await vsc.trace.waitFor((e) => e.event === 'session-end', 'disconnected', 60_000);
    assert.equal(await exited, 0, `minnow debug ended badly:\n${out}`);
    assert.match(out, /jobs done by 3 workers/);
    assert.deepEqual(processesMatching('qemu-system', app), [], 'no QEMU left');
  });
});
