/**
 * Kernel self-tests: builds each app under test/kernel/apps with the kernel
 * Makefile, boots it under QEMU TCG on microvm and q35 and asserts one
 * "PASS <case>" line per case, no "FAIL" line and the exit code. The crash
 * and exit apps check the fault reports and the exit-code contract; the
 * examples are booted too (hello with 2 MiB of memory).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Boot, Machine, boot, buildApp, describeBoot, haveQboot, readManifest, repoRoot, EXIT_CRASH } from './qemu';

const appsDir = path.join(__dirname, 'apps');
// No skipped tests: where qboot is missing the q35 cases are simply not defined.
const machines: Machine[] = haveQboot() ? ['microvm', 'q35'] : ['microvm'];

const selfTests: Record<string, string[]> = {
	memory: [
		'heap_basic',
		'heap_reuse',
		'heap_realloc',
		'heap_calloc',
		'heap_patterns',
		'heap_no_leak',
		'heap_stats_live',
		'pages_alloc',
		'pages_mapping',
		'pages_outside_kernel',
		'bss_zero',
	],
	sched: [
		'sched_table',
		'sched_yield_order',
		'sched_sleep',
		'sched_sleep_order',
		'sched_join',
		'sched_waitq',
		'sched_waitq_timeout',
		'sched_irq_first',
		'sched_callee_saved',
		'sched_stack_mark',
		'sched_boot_stacks',
	],
	libc: [
		'printf_integers',
		'printf_width_precision',
		'printf_strings',
		'string_functions',
		'stdlib_strtol',
		'stdlib_qsort',
		'ctype_classes',
	],
	fd: [
		'fd_console',
		'fd_errors',
		'fd_dup_close',
		'fd_nonblock',
		'fd_poll_timeout',
		'fd_poll_wakes',
		'errno_per_thread',
	],
};

describe('kernel self-tests', function () {
	this.timeout(600_000);

	for (const [app, cases] of Object.entries(selfTests)) {
		describe(app, function () {
			const dir = path.join(appsDir, app);
			let elf = '';

			before(async function () {
				elf = await buildApp(dir);
			});

			for (const machine of machines) {
				describe(`on ${machine}`, function () {
					let result: Boot;

					before(async function () {
						result = await boot(elf, { machine, name: app, memory: readManifest(dir).memory });
					});

					it('reports no FAIL line and exits with 0', function () {
						const fails = result.lines.filter((l) => l.startsWith('FAIL'));
						assert.deepEqual(fails, [], describeBoot(result));
						assert.equal(result.exitCode, 0, describeBoot(result));
					});

					for (const c of cases) {
						it(`PASS ${c}`, function () {
							assert.ok(result.lines.includes(`PASS ${c}`), describeBoot(result));
						});
					}
				});
			}
		});
	}

	// Several CPUs: every case of apps/smp on 2 and on 4 CPUs (4 vCPUs on this 2-core machine are
	// slow under TCG: the 1,000,000-message channel case takes seconds, so the bound is generous).
	describe('smp', function () {
		const dir = path.join(appsDir, 'smp');
		const cases = ['smp_all_online', 'smp_per_cpu_sched', 'smp_cross_wake', 'smp_migrate', 'smp_spinlock_torture', 'smp_channel_load', 'smp_irq_route'];
		let elf = '';

		before(async function () {
			elf = await buildApp(dir);
		});

		for (const machine of machines) {
			for (const cpus of [2, 4]) {
				describe(`${cpus} CPUs on ${machine}`, function () {
					let result: Boot;

					before(async function () {
						result = await boot(elf, {
							machine,
							name: 'smp',
							memory: '32M',
							cpus,
							args: [String(cpus), 'irq'],
							timeoutMs: 300_000,
							// smp_irq_route reads this line through the console's interrupt on the last CPU
							input: [{ after: /READY irq\n/, text: 'ping\n', delayMs: 50 }],
						});
					});

					it('reports no FAIL line and exits with 0', function () {
						const fails = result.lines.filter((l) => l.startsWith('FAIL'));
						assert.deepEqual(fails, [], describeBoot(result));
						assert.equal(result.exitCode, 0, describeBoot(result));
					});

					for (const c of cases) {
						it(`PASS ${c}`, function () {
							assert.ok(result.lines.includes(`PASS ${c}`), describeBoot(result));
						});
					}
				});
			}
		}
	});

	describe('console input', function () {
		const dir = path.join(appsDir, 'console');
		let elf = '';

		before(async function () {
			elf = await buildApp(dir);
		});

		for (const machine of machines) {
			it(`reads lines and bytes from COM1 on ${machine}`, async function () {
				const r = await boot(elf, {
					machine,
					name: 'console',
					input: [
						{ after: /READY\n/, text: 'hello kernel\n', delayMs: 100 },
						{ after: /MORE\n/, text: 'ab\r\nc' },
						// what comes after the Ctrl-D is dropped
						{ after: /END\n/, text: 'last\n\x04more' },
					],
				});
				const fails = r.lines.filter((l) => l.startsWith('FAIL'));
				assert.deepEqual(fails, [], describeBoot(r));
				for (const c of ['console_line', 'console_timeout', 'console_getchar', 'console_eof']) {
					assert.ok(r.lines.includes(`PASS ${c}`), describeBoot(r));
				}
				assert.equal(r.exitCode, 0, describeBoot(r));
			});
		}
	});

	describe('crash reports', function () {
		const dir = path.join(appsDir, 'crash');
		let elf = '';

		before(async function () {
			elf = await buildApp(dir);
		});

		const expectations: Array<{ what: string; report: RegExp[] }> = [
			{
				what: 'overflow',
				report: [/CRASH in thread "overflow" \(id \d+\): stack overflow in thread "overflow" \(guard page 0x[0-9a-f]+/],
			},
			{
				what: 'divzero',
				report: [/CRASH in thread "main" \(id 1\): divide error \(#DE\) at divide_numbers\+0x/, /#1 .* main\+0x/],
			},
			{ what: 'null', report: [/page fault \(#PF\) at main\+0x/, /cr2 0\b/] },
			{ what: 'assert', report: [/panic: assertion "answer == 41" failed in main\(\) at .*crash\/main\.c:\d+/] },
			{ what: 'panic', report: [/panic: custom 7/, /#1 .* main\+0x/] },
			{ what: 'ud', report: [/invalid opcode \(#UD\) at main\+0x/] },
			// the kernel maps its code read-only: a stray write faults instead of patching it
			{ what: 'textwrite', report: [/page fault \(#PF\) at main\+0x/] },
			{
				what: 'deadlock',
				report: [/panic: deadlock: every thread is blocked/, /threads:\n\s+1\s+main\s+blocked\s+never woken/],
			},
		];

		for (const machine of machines) {
			for (const { what, report } of expectations) {
				it(`${what} on ${machine}: reported, exit ${EXIT_CRASH}`, async function () {
					const r = await boot(elf, { machine, name: 'crash', args: [what] });
					assert.equal(r.exitCode, EXIT_CRASH, describeBoot(r));
					assert.match(r.console, /backtrace:/, describeBoot(r));
					for (const re of report) assert.match(r.console, re, describeBoot(r));
					assert.doesNotMatch(r.console, /no crash/, describeBoot(r));
				});
			}
		}

		it('a run without a fault exits with 0', async function () {
			const r = await boot(elf, { machine: 'microvm', name: 'crash', args: ['none'] });
			assert.equal(r.exitCode, 0, describeBoot(r));
			assert.match(r.console, /no crash/);
		});
	});

	describe('exit codes', function () {
		const dir = path.join(appsDir, 'exit');
		let elf = '';

		before(async function () {
			elf = await buildApp(dir);
		});

		for (const machine of machines) {
			// 126 (the debugger's kill) and 127 (a crash) are the kernel's;
			// a code outside 0..124 reads as 125, never as success (256,
			// 128 used to wrap to 0) or a crash, and the console says so
			for (const [code, want] of [[0, 0], [5, 5], [42, 42], [124, 124], [125, 125], [126, 125], [128, 125], [200, 125], [256, 125], [-1, 125]]) {
				it(`return ${code} from main on ${machine}: exit ${want}`, async function () {
					const r = await boot(elf, { machine, name: 'exit', args: ['return', String(code)] });
					assert.equal(r.exitCode, want, describeBoot(r));
					if (want === 125) assert.match(r.console, new RegExp(`exit code ${code} does not fit 0\\.\\.124`), describeBoot(r));
				});
			}
			it(`exit(42) from another thread on ${machine}`, async function () {
				const r = await boot(elf, { machine, name: 'exit', args: ['exit', '42'] });
				assert.equal(r.exitCode, 42, describeBoot(r));
			});
		}

		it('passes argv, with quoted words and without microvm\'s virtio_mmio words', async function () {
			const r = await boot(elf, { machine: 'microvm', name: 'exit', args: ['args', 'x', 'y z'] });
			assert.equal(r.exitCode, 0, describeBoot(r));
			assert.match(r.console, /argc=4 \[exit\] \[args\] \[x\] \[y z\]/, describeBoot(r));
		});
	});

	describe('examples', function () {
		it('hello greets and prints its arguments with 2 MiB of memory', async function () {
			const elf = await buildApp(path.join(repoRoot, 'examples', 'hello'));
			const r = await boot(elf, { machine: 'microvm', name: 'hello', memory: '2M', args: ['one', 'two'] });
			assert.equal(r.exitCode, 0, describeBoot(r));
			assert.match(r.console, /Hello from Minnow! I am hello\./);
			assert.match(r.console, /argv\[1\] = one\nargv\[2\] = two/);
		});

		for (const machine of machines) {
			it(`threads prints its deterministic summary on ${machine}`, async function () {
				const elf = await buildApp(path.join(repoRoot, 'examples', 'threads'));
				const r = await boot(elf, { machine, name: 'threads' });
				assert.equal(r.exitCode, 0, describeBoot(r));
				assert.match(r.console, /job 12: 324 takes  24 steps/, describeBoot(r));
				assert.match(r.console, /12 jobs done by 3 workers, 877 steps in all/, describeBoot(r));
			});
		}
	});
});
