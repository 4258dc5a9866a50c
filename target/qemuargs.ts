// The QEMU command line of the run contract (README.md, "Contracts between the parts"), as a pure function so it can be
// tested without QEMU. COM1 is the console on QEMU's stdio; the kernel gdbstub's line is a TCP
// server on 127.0.0.1, carried by a virtio console of the stub's own (microvm's default) or by
// COM2; isa-debug-exit carries the exit code. On microvm COM2 must be an isa-serial device (a
// second -serial is silently ignored there); q35 takes a second -serial.

import type { DiskConfig, Driver, Machine, NetworkConfig } from './config';
import { MinnowError, advise } from './errors';
import { LOCALHOST } from './ports';
import { fsDeviceArgs, virtiofsMemoryArgs } from './mounts';
import { hostfwdWord, parseHostForward } from './publish';
import type { FsDiskConfig, MountConfig } from './mounts';

/**
 * How the kernel's stub reaches gdb: 'virtio', a virtio console of its own (microvm only; one queue
 * notification per packet), or 'com2', the 16550 UART (any machine, any hypervisor; a port access
 * and a send() in QEMU per byte, several times slower per step).
 */
export type GdbTransport = 'virtio' | 'com2';
export const GDB_TRANSPORTS: readonly GdbTransport[] = ['virtio', 'com2'];

export interface GdbstubOptions {
  /** 'kernel': Minnow's stub (default); 'qemu': QEMU's own stub (-gdb). */
  kind: 'kernel' | 'qemu';
  /** The kernel stub's transport; default virtio on microvm, com2 elsewhere. */
  transport?: GdbTransport;
  /** 127.0.0.1 port; omitted or 0: a free one is picked. */
  port?: number;
  /** kernel: stop in the stub before main (minnow.gdb=wait); qemu: freeze the CPU at reset (-S). */
  wait?: boolean;
}

export interface DeviceOptions {
  /** kernel components linked in (AppConfig.components): each driver among them adds its device */
  components?: readonly Driver[];
  disk?: DiskConfig;
  network?: NetworkConfig;
  /** Host folders over virtio-9p and FAT images over virtio-blk (target/mounts.ts). */
  mounts?: readonly MountConfig[];
  disks?: readonly FsDiskConfig[];
  /** Where the virtio console's host side listens (127.0.0.1), when virtio_console is linked. */
  virtioConsolePort?: number;
}

export interface QemuArgsInput {
  elf: string;
  machine: Machine;
  accel: 'tcg' | 'kvm';
  /** -cpu model; default max under TCG, host under KVM. */
  cpu?: string;
  memory: string;
  /** CPUs (-smp); default 1. */
  cpus?: number;
  /** argv[0] for main (minnow.name=...). */
  name?: string;
  /** argv[1..] for main. */
  argv: readonly string[];
  /** Extra kernel options, each "minnow.something[=value]". */
  kernelOptions?: readonly string[];
  gdbstub?: { kind: 'kernel' | 'qemu'; port: number; wait: boolean; transport?: GdbTransport };
  devices?: DeviceOptions;
  /** qboot firmware for q35, when present. */
  qbootRom?: string;
  extraArgs?: readonly string[];
}

// auto-kernel-cmdline=off: otherwise QEMU appends "virtio_mmio.device=..." words, which main would see
// in argv; the kernel finds virtio-mmio devices by scanning for their magic instead.
export const MICROVM = 'microvm,pic=off,pit=off,rtc=off,acpi=off,x-option-roms=off,auto-kernel-cmdline=off';
export const DEBUG_EXIT = 'isa-debug-exit,iobase=0xf4,iosize=0x04';
const VIRTIO_MODERN = 'virtio-mmio.force-legacy=false';

/** Limits of the kernel's parser (kernel/core/cmdline.c, BOOT_CMDLINE_MAX, CMDLINE_ARGS_MAX). */
export const CMDLINE_MAX = 1023;
export const ARGS_MAX = 31;

/**
 * One argument as the kernel's parser reads it back: words split on blanks, and double quotes
 * group (and are removed). A double quote inside an argument cannot be expressed.
 */
function cmdlineWord(arg: string): string {
  if (arg.includes('"')) {
    throw new MinnowError(`the argument ${JSON.stringify(arg)} contains a double quote, which the kernel command line cannot carry`, 'Pass the argument without double quotes.', 'config');
  }
  return arg === '' || /\s/.test(arg) ? `"${arg}"` : arg;
}

/** The kernel stub's transport on this machine: the one asked for, checked, or the default. */
export function gdbTransport(machine: Machine, asked?: GdbTransport): GdbTransport {
  if (asked === 'virtio' && machine !== 'microvm') {
    throw new MinnowError(`the gdbstub's virtio transport needs the microvm machine (this app runs on ${machine})`, advise((say) => `Use the com2 transport (${say('--gdb-transport com2', '"gdbTransport": "com2"')}), or "machine": "microvm" in minnow.json.`), 'config');
  }
  return asked ?? (machine === 'microvm' ? 'virtio' : 'com2');
}

/** The kernel command line: kernel options first, then main's arguments. */
export function kernelCmdline(input: Pick<QemuArgsInput, 'name' | 'argv' | 'kernelOptions' | 'gdbstub'> & { machine?: Machine }): string {
  const words: string[] = [];
  if (input.name) words.push(`minnow.name=${input.name}`);
  if (input.gdbstub?.kind === 'kernel' && input.gdbstub.wait) words.push('minnow.gdb=wait');
  if (input.gdbstub?.kind === 'kernel' && gdbTransport(input.machine ?? 'microvm', input.gdbstub.transport) === 'virtio') {
    words.push('minnow.gdb.transport=virtio');
  }
  words.push(...(input.kernelOptions ?? []));
  if (input.argv.length > ARGS_MAX) {
    throw new MinnowError(`${input.argv.length} arguments for main; the kernel takes at most ${ARGS_MAX}`, 'Pass fewer arguments.', 'config');
  }
  words.push(...input.argv.map(cmdlineWord));
  const line = words.join(' ');
  if (line.length > CMDLINE_MAX) {
    throw new MinnowError(`the kernel command line is ${line.length} bytes; the kernel takes at most ${CMDLINE_MAX}`, 'Pass shorter or fewer arguments.', 'config');
  }
  return line;
}

function deviceArgs(machine: Machine, d: DeviceOptions, stubVirtio: boolean): string[] {
  const suffix = machine === 'microvm' ? 'device' : 'pci';
  const out: string[] = [];
  const drivers = d.components ?? [];
  // QEMU's virtio-mmio is legacy (version 1) by default; the kernel speaks virtio 1.x only.
  const files = (d.mounts?.length ?? 0) + (d.disks?.length ?? 0) > 0;
  if (machine === 'microvm' && (files || drivers.some((x) => x.startsWith('virtio_'))) && !stubVirtio) {
    out.push('-global', VIRTIO_MODERN);
  }
  if (drivers.includes('virtio_blk') && d.disk) {
    const ro = d.disk.readOnly ? ',readonly=on' : '';
    out.push('-drive', `id=disk0,if=none,format=${d.disk.format},file=${d.disk.image.replace(/,/g, ',,')}${ro}`);
    out.push('-device', `virtio-blk-${suffix},drive=disk0`);
  }
  out.push(...fsDeviceArgs(machine, d.mounts ?? [], d.disks ?? []).args);
  if (drivers.includes('virtio_net')) {
    const net = d.network;
    if (net?.backend === 'dgram') {
      const local = `local.type=inet,local.host=${LOCALHOST},local.port=${net.localPort}`;
      const remote = `remote.type=inet,remote.host=${LOCALHOST},remote.port=${net.remotePort}`;
      out.push('-netdev', `dgram,id=net0,${local},${remote}`);
    } else {
      // published ports (target/publish.ts): always on 127.0.0.1
      const fwd = (net?.hostForwards ?? []).map((f) => `,${hostfwdWord(parseHostForward(f))}`);
      out.push('-netdev', `user,id=net0${fwd.join('')}`);
    }
    out.push('-device', `virtio-net-${suffix},netdev=net0${machine === 'microvm' ? '' : ',romfile='}`);
  }
  if (drivers.includes('virtio_console')) {
    const backend =
      d.virtioConsolePort !== undefined
        ? `socket,id=vcon,host=${LOCALHOST},port=${d.virtioConsolePort},server=on,wait=off,nodelay=on`
        : 'null,id=vcon';
    out.push('-chardev', backend);
    // the bus named: the gdbstub may have a virtio-serial device of its own
    out.push('-device', `virtio-serial-${suffix},id=vcon-serial`, '-device', 'virtconsole,chardev=vcon,bus=vcon-serial.0');
  }
  return out;
}

export function buildQemuArgs(input: QemuArgsInput): string[] {
  const args: string[] = [];
  if (input.machine === 'microvm') {
    args.push('-M', MICROVM);
  } else {
    args.push('-M', 'q35');
    if (input.qbootRom) args.push('-bios', input.qbootRom);
  }
  // -cpu max under KVM asks for MSRs some hosts refuse (QEMU asserts); host is KVM's native model.
  const cpu = input.cpu ?? (input.accel === 'kvm' ? 'host' : 'max');
  const cpus = input.cpus ?? 1;
  // TCG runs every vCPU on one host thread unless told otherwise: a thread per CPU lets them
  // run at once (and a spinning CPU not starve the others)
  const accel = input.accel === 'tcg' && cpus > 1 ? 'tcg,thread=multi' : input.accel;
  args.push('-accel', accel, '-cpu', cpu, '-m', input.memory);
  if (cpus > 1) args.push('-smp', String(cpus));
  args.push(...virtiofsMemoryArgs(input.devices?.mounts ?? [], input.memory));
  args.push('-no-reboot', '-nodefaults', '-nographic');
  const fsOption = input.devices && fsDeviceArgs(input.machine, input.devices.mounts ?? [], input.devices.disks ?? []).option;
  const kernelOptions = [...(input.kernelOptions ?? []), ...(fsOption ? [fsOption] : [])];
  args.push('-kernel', input.elf, '-append', kernelCmdline({ ...input, kernelOptions }));
  args.push('-serial', 'stdio');
  const g = input.gdbstub;
  const stubVirtio = g?.kind === 'kernel' && gdbTransport(input.machine, g.transport) === 'virtio';
  if (g?.kind === 'kernel') {
    // nodelay: the UART stub writes a packet byte by byte; with Nagle and gdb's delayed ACKs every
    // stop reply waited ~40 ms (the ADAPTER measured gdb `next` at 150-640 ms instead of 10-25).
    args.push('-chardev', `socket,id=gdb,host=${LOCALHOST},port=${g.port},server=on,wait=off,nodelay=on`);
    if (stubVirtio) {
      // first of all virtio devices: microvm fills its slots from the top, and the stub takes the
      // console in the highest slot (kernel/debug/gdb_virtio.c)
      args.push('-global', VIRTIO_MODERN);
      args.push('-device', 'virtio-serial-device,id=gdb-serial', '-device', 'virtconsole,chardev=gdb,bus=gdb-serial.0');
    } else if (input.machine === 'microvm') args.push('-device', 'isa-serial,chardev=gdb,index=1');
    else args.push('-serial', 'chardev:gdb');
  } else if (g?.kind === 'qemu') {
    args.push('-gdb', `tcp:${LOCALHOST}:${g.port}`);
    if (g.wait) args.push('-S');
  }
  args.push('-device', DEBUG_EXIT);
  if (input.devices) args.push(...deviceArgs(input.machine, input.devices, stubVirtio));
  args.push(...(input.extraArgs ?? []));
  return args;
}

/** The command as a shell user would type it (for logs and error messages only). */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
