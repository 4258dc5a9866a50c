/**
 * A small build-and-boot helper for the kernel self-tests: runs the kernel
 * Makefile for an application folder and boots the ELF under QEMU TCG,
 * always spawning with argument arrays (never a shell). It maps the
 * isa-debug-exit status back to the application's exit code as the run
 * contract says: QEMU exits with (v << 1) | 1, an even status means the VM
 * ended without the exit device.
 *
 * The TARGET engineer's target may replace this later.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const kernelDir = path.join(repoRoot, 'kernel');
export const QBOOT_ROM = '/usr/share/qemu/qboot.rom';
export const EXIT_CRASH = 127;

export type Machine = 'microvm' | 'q35';

export interface Proc {
	status: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
}

/** Text to type into the child's stdin once its output matches `after` (and delayMs more). */
export interface Input {
	after: RegExp;
	text: string;
	delayMs?: number;
}

export function run(cmd: string, args: string[], timeoutMs: number, input: Input[] = []): Promise<Proc> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
		const pending = [...input];
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.stdout.setEncoding('utf8').on('data', (d: string) => {
			stdout += d;
			while (pending.length > 0 && pending[0].after.test(stdout)) {
				const next = pending.shift()!;
				setTimeout(() => child.stdin.write(next.text), next.delayMs ?? 0);
			}
		});
		child.stdin.on('error', () => undefined); // QEMU may exit before reading
		child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (status, signal) => {
			clearTimeout(timer);
			resolve({ status, signal, stdout, stderr, timedOut });
		});
	});
}

export interface Manifest {
	name: string;
	sources: string[];
	memory?: string;
}

export function readManifest(appDir: string): Manifest {
	return JSON.parse(readFileSync(path.join(appDir, 'minnow.json'), 'utf8')) as Manifest;
}

/** Builds appDir into appDir/build; returns the ELF path. */
export async function buildApp(appDir: string): Promise<string> {
	const m = readManifest(appDir);
	const buildDir = path.join(appDir, 'build');
	const r = await run(
		'make',
		[
			'-C',
			kernelDir,
			`APP_DIR=${appDir}`,
			`APP_NAME=${m.name}`,
			`APP_SRCS=${m.sources.join(' ')}`,
			`BUILD_DIR=${buildDir}`,
		],
		600_000,
	);
	if (r.status !== 0) {
		throw new Error(`make for ${appDir} failed (status ${r.status}):\n${r.stderr}\n${r.stdout}`);
	}
	return path.join(buildDir, `${m.name}.elf`);
}

export function haveQboot(): boolean {
	return existsSync(QBOOT_ROM);
}

export interface BootOptions {
	machine: Machine;
	name: string;
	memory?: string;
	args?: string[];
	timeoutMs?: number;
	input?: Input[];
	/** CPUs (-smp); more than one runs TCG with a thread per CPU */
	cpus?: number;
}

export interface Boot {
	/** the application's exit code, or undefined when the VM ended without the exit device */
	exitCode?: number;
	crashed: boolean;
	console: string;
	lines: string[];
	proc: Proc;
}

function quoteArg(a: string): string {
	return /\s/.test(a) ? `"${a}"` : a;
}

export function qemuArgs(elf: string, o: BootOptions): string[] {
	const cmdline = [`minnow.name=${o.name}`, ...(o.args ?? []).map(quoteArg)].join(' ');
	const machine =
		o.machine === 'microvm'
			? ['-M', 'microvm,pic=off,pit=off,rtc=off,acpi=off,x-option-roms=off']
			: ['-M', 'q35', '-bios', QBOOT_ROM];
	const smp = o.cpus && o.cpus > 1 ? ['-smp', String(o.cpus), '-accel', 'tcg,thread=multi'] : [];
	return [
		...machine,
		...smp,
		'-cpu', 'max',
		'-m', o.memory ?? '8M',
		'-no-reboot',
		'-nodefaults',
		'-nographic',
		'-kernel', elf,
		'-append', cmdline,
		'-serial', 'stdio',
		'-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
	];
}

export async function boot(elf: string, o: BootOptions): Promise<Boot> {
	const proc = await run('qemu-system-x86_64', qemuArgs(elf, o), o.timeoutMs ?? 60_000, o.input);
	const status = proc.status ?? 0;
	const exitCode = status % 2 === 1 ? (status - 1) / 2 : undefined;
	return {
		exitCode,
		crashed: exitCode === EXIT_CRASH,
		console: proc.stdout,
		lines: proc.stdout.split(/\r?\n/),
		proc,
	};
}

/** What a failed assertion should show: the console and QEMU's stderr. */
export function describeBoot(b: Boot): string {
	return (
		`exit code ${b.exitCode ?? 'none'} (QEMU status ${b.proc.status}` +
		`${b.proc.timedOut ? ', timed out' : ''})\n--- console ---\n${b.console}` +
		(b.proc.stderr ? `--- stderr ---\n${b.proc.stderr}` : '')
	);
}
