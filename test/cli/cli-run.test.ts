// `minnow run`: the console on stdout, the application's exit code as the CLI's, arguments
// for main, both machines, and every way a run can go wrong (crash, timeout, QEMU missing or
// failing), each with its exit status and message.

import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appFrom, appWith, cleanupTmp, cli, killStragglers, pathWithout } from './helpers';

describe('cli: run', function () {
  this.timeout(180000);
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('builds if needed, shows exactly the console on stdout, exits 0', async () => {
    const app = appFrom('hello');
    const r = await cli(['run', app]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello from Minnow! I am hello.\n');
    assert.ok(existsSync(join(app, 'build', 'hello.elf')));
  });

  it('passes the arguments after -- to main', async () => {
    const app = appFrom('hello');
    const r = await cli(['run', app, '--', 'one', 'two words', '--three']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello from Minnow! I am hello.\nargv[1] = one\nargv[2] = two words\nargv[3] = --three\n');
  });

  it('uses "args" from minnow.json when none are given', async () => {
    const app = appFrom('hello');
    writeFileSync(join(app, 'minnow.json'), JSON.stringify({ name: 'hello', sources: ['main.c'], args: ['from-json'] }));
    const r = await cli(['run', app]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /argv\[1\] = from-json\n/);
  });

  it("exits with the application's exit code", async () => {
    const app = appWith('#include <stdio.h>\nint main(int argc, char **argv)\n{\n\tprintf("bye\\n");\n\treturn 42;\n}\n');
    const r = await cli(['run', app]);
    assert.equal(r.code, 42, r.stderr);
    assert.equal(r.stdout, 'bye\n');
  });

  it('forwards piped stdin to the guest, and its end as the guest\'s EOF', async () => {
    const app = appWith(
      '#include <stdio.h>\n#include <ctype.h>\nint main(void)\n{\n\tchar line[64];\n\tint n = 0;\n\n' +
        '\twhile (fgets(line, sizeof(line), stdin)) {\n\t\tfor (char *p = line; *p; p++)\n\t\t\t*p = (char)toupper(*p);\n' +
        '\t\tprintf("%s", line);\n\t\tn++;\n\t}\n\tprintf("lines: %d\\n", n);\n\treturn n;\n}\n',
    );
    const r = await cli(['run', app], { input: 'hello\nminnow\n' });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, 'HELLO\nMINNOW\nlines: 2\n');
    // no input at all (stdin is /dev/null): EOF at once, never a hang
    const none = await cli(['run', app, '--no-build']);
    assert.equal(none.code, 0, none.stdout + none.stderr);
    assert.equal(none.stdout, 'lines: 0\n');
  });

  it('an exit code outside 0..124 is never success: 125, and stderr says so', async () => {
    const app = appWith('#include <stdlib.h>\nint main(int argc, char **argv)\n{\n\treturn atoi(argv[1]);\n}\n');
    assert.equal((await cli(['build', app])).code, 0);
    for (const code of ['128', '256', '200', '-1']) {
      const r = await cli(['run', app, '--no-build', '--', code]);
      assert.equal(r.code, 125, `${code}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`minnow: exit code ${code} does not fit 0\\.\\.124`));
      assert.match(r.stderr, /^minnow: exit code 125: the application's code did not fit 0\.\.124/m);
    }
    const ok = await cli(['run', app, '--no-build', '--', '124']);
    assert.equal(ok.code, 124, ok.stderr);
    assert.equal(ok.stderr, '');
  });

  it('runs on q35 with --machine q35', async () => {
    const app = appFrom('hello');
    const r = await cli(['run', app, '--machine', 'q35', '--accel', 'tcg']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello from Minnow! I am hello.\n');
  });

  it('boots the CPUs --cpus or minnow.json "cpus" ask for, and refuses a count the kernel cannot run', async () => {
    const app = appWith('#include <minnow.h>\n#include <stdio.h>\nint main(void) { printf("cpus %d\\n", cpu_count()); return 0; }\n', { cpus: 2, memory: '32M' });
    const fromJson = await cli(['run', app]);
    assert.equal(fromJson.code, 0, fromJson.stderr);
    assert.equal(fromJson.stdout, 'cpus 2\n');
    const fromFlag = await cli(['run', app, '--machine', 'q35', '--cpus', '3', '--no-build']);
    assert.equal(fromFlag.code, 0, fromFlag.stderr);
    assert.equal(fromFlag.stdout, 'cpus 3\n');
    const tooMany = await cli(['run', app, '--cpus', '17', '--no-build']);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--cpus must be a whole number from 1 to 16, not 17/);
    const half = await cli(['run', app, '--cpus', '1.5', '--no-build']);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--cpus must be a whole number from 1 to 16, not 1\.5/);
  });

  it('shows the fault report of a crashing kernel and exits 127 with a summary', async () => {
    const app = appWith('int main(void)\n{\n\tvolatile int zero = 0;\n\treturn 10 / zero;\n}\n');
    const r = await cli(['run', app]);
    assert.equal(r.code, 127, r.stdout + r.stderr);
    assert.match(r.stdout, /divide error/i);
    assert.match(r.stdout, /main\+0x/, 'the backtrace names main');
    assert.match(r.stderr, /^minnow: the kernel crashed \(fault report above\); exit status 127$/m);
  });

  it('reports a VM that ends without the exit device (triple fault) and exits 125', async () => {
    // An empty IDT turns int3 into a triple fault: QEMU (-no-reboot) exits with status 0.
    const app = appWith(
      'int main(void)\n{\n\tstruct __attribute__((packed)) { unsigned short limit; unsigned long base; } idt = { 0, 0 };\n' +
        '\t__asm__ volatile("lidt %0; int3" : : "m"(idt));\n\treturn 0;\n}\n',
    );
    const r = await cli(['run', app]);
    assert.equal(r.code, 125, r.stdout + r.stderr);
    assert.match(r.stderr, /minnow: the VM ended without an exit code, QEMU status 0/);
  });

  it('stops a guest that never ends after --timeout and exits 124', async () => {
    const app = appWith('int main(void)\n{\n\tfor (;;)\n\t\t;\n}\n');
    assert.equal((await cli(['build', app])).code, 0);
    const started = Date.now();
    const r = await cli(['run', app, '--no-build', '--timeout', '1']);
    assert.equal(r.code, 124, r.stderr);
    assert.match(r.stderr, /minnow: timed out/);
    assert.doesNotMatch(r.stderr, /terminating on signal/, "QEMU's own note about our SIGTERM is not shown");
    assert.ok(Date.now() - started < 30000);
  });

  it('links virtio_blk, creates the disk image from "disk.size" and attaches it (examples/blk)', async () => {
    const app = appFrom('blk');
    const image = join(app, 'disk.img');
    assert.ok(!existsSync(image));
    const r = await cli(['run', app, '--timeout', '60']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(statSync(image).size, 64 * 1024 * 1024);
    assert.match(r.stdout, /verified/);
  });

  it('boots the existing ELF with --no-build, and says to build when there is none', async () => {
    const app = appFrom('hello');
    const none = await cli(['run', app, '--no-build']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /hello\.elf does not exist/);
    assert.match(none.stderr, /fix: Build the application first \(minnow build\)/);
    assert.equal((await cli(['build', app])).code, 0);
    const r = await cli(['run', app, '--no-build']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /gcc/);
  });

  it('names --qemu and the apt command when the QEMU binary is missing', async () => {
    const app = appFrom('hello');
    const r = await cli(['run', app, '--qemu', '/nonexistent/qemu-system-x86_64']);
    assert.equal(r.code, 1);
    // the flag the user typed, not the launch attribute qemuPath
    assert.match(r.stderr, /QEMU not found at \/nonexistent\/qemu-system-x86_64\n  fix: Fix --qemu, or leave it out/);
    assert.doesNotMatch(r.stderr, /qemuPath/);
    assert.match(r.stderr, /apt-get .*qemu-system-x86/);
  });

  it('gives the apt command when QEMU is not installed', async () => {
    const app = appFrom('hello');
    const r = await cli(['run', app], { env: { ...process.env, PATH: pathWithout(['qemu-system-x86_64']) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /minnow: error: QEMU \(qemu-system-x86_64\) is not installed or not on PATH/);
    assert.match(r.stderr, /fix: Install it: .*apt-get install -y --no-install-recommends qemu-system-x86/);
    // said before the build: nothing was compiled for a VM that cannot boot
    assert.doesNotMatch(r.stderr, /^\s*(CC|LD)\s/m, r.stderr);
  });

  it("reports QEMU's own error (bad qemuArgs) and exits 125", async () => {
    const app = appWith('int main(void) { return 0; }\n', { qemuArgs: ['-no-such-option'] });
    const r = await cli(['run', app]);
    assert.equal(r.code, 125, r.stdout + r.stderr);
    assert.match(r.stderr, /qemu-system-x86_64: -no-such-option: invalid option/);
    assert.match(r.stderr, /minnow: QEMU failed:/);
  });

  it('refuses --accel kvm where KVM cannot be opened, naming the fix', async () => {
    // A device node that does not exist stands for a machine without KVM; the real /dev/kvm is
    // never used by the tests (this machine's nested KVM is slow and dies on int3).
    const env = { ...process.env, MINNOW_KVM_DEVICE: '/nonexistent/kvm' };
    const r = await cli(['run', appFrom('hello'), '--accel', 'kvm'], { env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /KVM was requested/);
    assert.match(r.stderr, /\/nonexistent\/kvm/);
    assert.match(r.stderr, /--accel tcg/);
  });

  it('refuses a wrong minnow.json field before building', async () => {
    const app = appWith('int main(void) { return 0; }\n', { drivers: ['e1000'] });
    const r = await cli(['run', app]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"drivers\[0\]" is "e1000"/);
    assert.doesNotMatch(r.stderr, /gcc/);
  });
});
