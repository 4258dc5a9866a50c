// The file drivers under the real debugger (dist/debugAdapter.js, gdb, QEMU): a breakpoint in the
// 9p driver (kernel/fs/9p.c) and one in the FAT driver (kernel/fs/fat_file.c) stop there, and
// minnow/kernelInfo, read while stopped, shows the mount table (path, fs, host folder or image,
// read-only) and the open files (path, fs, offset, flags) as the Kernel view lists them.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launch, lineOf, marker, ROOT, startClient, stopped, topFrame, type Client } from '../adapter/helpers';
import { createFatImage } from '../../target';
import { rmTemp, tempDir } from './helpers';

const P9_C = path.join(ROOT, 'kernel', 'fs', '9p.c');
const FAT_C = path.join(ROOT, 'kernel', 'fs', 'fat_file.c');
const O_WRONLY = 0o1;
const O_APPEND = 0o2000;

interface Info {
  files: { fd: number; kind: string; label: string; flags: number; offset: number }[];
  mounts: { path: string; fs: string; source: string; readOnly: boolean; host?: string }[];
  missing: string[];
}

describe('fs: the file drivers in the debugger', function () {
  this.timeout(300_000);
  let dir: string;
  let app: string;
  let mainC: string;
  let c: Client | undefined;

  before(() => {
    dir = tempDir('fsdbg');
    app = path.join(dir, 'fsdebug');
    fs.cpSync(path.join(ROOT, 'test', 'fs', 'apps', 'fsdebug'), app, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
    createFatImage({ image: path.join(app, 'data.img'), size: '32M', bits: 16 });
    mainC = path.join(app, 'main.c');
  });
  after(async () => {
    await c?.dc.stop();
    rmTemp(dir);
  });

  it('stops in the 9p and the FAT driver; kernelInfo shows the mounts and the open files', async function () {
    c = await startClient(240_000);
    const atOpen = stopped(c, 240_000);
    await launch(c, { app, accel: 'tcg' }, { [mainC]: [{ line: marker('OPEN', mainC) }] });
    const s = await atOpen;
    assert.equal((await topFrame(c, s.threadId!)).line, marker('OPEN', mainC));

    const info = (await c.dc.customRequest('minnow/kernelInfo')).body as Info;
    assert.deepEqual(info.missing, []);
    const mount = (p: string) => info.mounts.find((m) => m.path === p);
    assert.equal(mount('/')?.fs, 'ramfs', JSON.stringify(info.mounts));
    assert.deepEqual(mount('/www'), { path: '/www', fs: '9p', source: '9p tag m0', readOnly: true, opens: 1, host: path.join(app, 'www') });
    assert.equal(mount('/data')?.fs, 'fat');
    assert.match(mount('/data')!.source, /^fat16 /);
    assert.equal(mount('/data')?.host, path.join(app, 'data.img'));
    assert.equal(mount('/data')?.readOnly, false);
    const file = (p: string) => info.files.find((f) => f.label === p);
    assert.deepEqual(
      { ...file('/www/index.html'), fd: undefined },
      { fd: undefined, kind: '9p', label: '/www/index.html', refs: 1, flags: 0, offset: 5 },
      JSON.stringify(info.files),
    );
    assert.deepEqual({ ...file('/data/log.txt'), fd: undefined }, { fd: undefined, kind: 'fat', label: '/data/log.txt', refs: 1, flags: O_WRONLY | O_APPEND, offset: 0 });

    // breakpoints where a user clicks in the drivers' sources
    const set9p = await c.dc.setBreakpointsRequest({ source: { path: P9_C }, breakpoints: [{ line: lineOf(P9_C, 'static ssize_t p9_read(') }] });
    const setFat = await c.dc.setBreakpointsRequest({ source: { path: FAT_C }, breakpoints: [{ line: lineOf(FAT_C, 'static ssize_t fat_file_write(') }] });
    assert.ok(set9p.body.breakpoints[0].verified && setFat.body.breakpoints[0].verified, JSON.stringify([set9p.body, setFat.body]));
    await c.dc.setBreakpointsRequest({ source: { path: mainC }, breakpoints: [] });

    const expectStop = async (file: string, fn: string): Promise<DebugProtocol.StackFrame> => {
      const next = stopped(c!, 120_000);
      await c!.dc.continueRequest({ threadId: s.threadId! });
      const e = await next;
      assert.equal(e.reason, 'breakpoint');
      const frames = (await c!.dc.stackTraceRequest({ threadId: e.threadId!, startFrame: 0, levels: 20 })).body.stackFrames;
      assert.equal(frames[0].source?.path, file, JSON.stringify(frames.map((f) => f.name)));
      assert.match(frames[0].name, new RegExp(`^${fn}\\b`));
      // the application's call is up the stack
      assert.ok(frames.some((f) => f.source?.path === mainC && /^main\b/.test(f.name)), JSON.stringify(frames.map((f) => f.name)));
      return frames[0];
    };
    const in9p = await expectStop(P9_C, 'p9_read');
    const scopes = await c.dc.scopesRequest({ frameId: in9p.id });
    const locals = await c.dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
    assert.ok(locals.body.variables.some((v) => v.name === 'n' && v.value === '5'), JSON.stringify(locals.body.variables.map((v) => [v.name, v.value])));
    await expectStop(FAT_C, 'fat_file_write');

    await c.dc.setBreakpointsRequest({ source: { path: P9_C }, breakpoints: [] });
    await c.dc.setBreakpointsRequest({ source: { path: FAT_C }, breakpoints: [] });
    const done = c.dc.waitForEvent('terminated', 120_000);
    await c.dc.continueRequest({ threadId: s.threadId! });
    await done;
    assert.match(c.text(), /read ", fil"/);
    // what the FAT driver wrote while it was being debugged is on the disk
    const back = execFileSync('mcopy', ['-n', '-i', path.join(app, 'data.img'), '::/log.txt', '-']).toString();
    assert.equal(back, ', fil');
  });
});
