// Minnow's target layer: everything between "an application folder" and "a running QEMU with a
// gdbstub port". Shared by the CLI (cli/) and the debug adapter; it never imports vscode. Import
// it only through this file.
//
// ## API (stable: the CLI and the adapter both import it; see README.md, "Contracts between the parts")
//
// Errors
//   class MinnowError extends Error { fix, fixFor(audience), advice, kind, id, showUser }   a
//                                     user's mistake: message = the problem, fixFor('cli' | 'launch')
//                                     = what to do in the words of the command line (a flag) or of
//                                     a launch configuration (a launch.json attribute); fix = the
//                                     CLI's; kind = its entry in ERROR_IDS (the stable id clients
//                                     see). Anything else thrown is a bug.
//   advise((say) => `Use ${say('--accel tcg', '"accel": "tcg"')}.`): Advice   a fix for both
//   isMinnowError(e): e is MinnowError
//
// Applications
//   loadApp(dir): AppConfig        reads <dir>/minnow.json, validates it against
//                                  schemas/minnow.schema.json; throws MinnowError naming the field
//                                  ("drivers[1]") or the line:column of a JSON syntax error.
//   AppConfig { dir, name, description?, sources[], memory ("8M"), machine 'microvm'|'q35',
//               qemuArgs[], drivers[], args[], cflags[], disk? {image, format, readOnly, createSize?},
//               network? {backend 'user'|'dgram', hostForwards[], localPort?, remotePort?},
//               buildDir (<dir>/build), elf (<dir>/build/<name>.elf) }    all paths absolute
//   validateManifest(json): SchemaProblem[]   { field, message, fix } (for editors/linters)
//
// Paths
//   kernelDir(override?): string   override, else env MINNOW_KERNEL, else kernel/ next to the
//                                  bundle (repo checkout or installed extension)
//   examplesDir(): string          the templates of `minnow new`
//
// Build
//   buildApp(app, { kernelDir?, onOutput?(text, 'stdout'|'stderr'), signal?, jobs?, cache? }): Promise<{ elf, rebuilt }>
//                                  make with the build contract; output passed on unchanged;
//                                  MinnowError when make/gcc are missing or the build fails;
//                                  the kernel's objects come from the shared build cache
//                                  (target/buildcache.ts) unless cache: false
//   makeArgs(app, kernelDir, jobs?, kobj?): string[]
//   buildCacheDir(), buildCacheSize(), cleanBuildCache()   the cache (minnow clean --cache)
//
// QEMU
//   freePort(): Promise<number>    a free TCP port on 127.0.0.1
//   startQemu(StartQemuOptions): Promise<QemuInstance>
//     StartQemuOptions { elf, machine?, accel? 'auto'|'tcg'|'kvm', memory?, name? (argv[0]),
//       argv? (argv[1..]), kernelOptions?, qemuPath?, extraArgs?,
//       gdbstub?: { kind: 'kernel'|'qemu', port? (0/absent: pick a free one), wait? },
//       devices?: { drivers?, disk?, network? }, onConsole?(text), onStderr?(text), timeoutMs?, cwd? }
//     Resolves once QEMU runs (and, with a gdbstub, listens on its port; "address in use" is
//     retried with a new port). Rejects (MinnowError) only when QEMU cannot be started: missing
//     binary, missing ELF, KVM asked for but unusable, a fixed port that is taken, or (with a
//     gdbstub) QEMU exiting before it listened: qemuEndedEarly(exit), in QEMU's own words.
//   qemuOptionsFor(app): StartQemuOptions     elf/machine/memory/name/args/qemuArgs/devices of an app
//   QemuInstance { pid, port?, accel 'tcg'|'kvm', virtioConsolePort?, command[], exited: Promise<QemuExit>,
//                  kill(): Promise<void> (resolves when the process is gone), writeConsole(s) }
//   QemuExit { status, signal, reason 'exit'|'crash'|'killed-by-debugger'|'no-exit-device'|'qemu-error'|'timeout'|
//              'killed', appExitCode? (0..124, or 125 for a code that did not fit; reason 'exit'), crashed, summary, stderrTail }
//   mapExit(...), EXIT_CRASH (127), EXIT_DEBUGGER (126: gdb's kill), EXIT_OUT_OF_RANGE (125)
//   buildQemuArgs(...), kernelCmdline(...)   the QEMU command line as a pure function
//   resolveAccel(accel), probeKvm()  auto = KVM only if /dev/kvm is usable AND cpuinfo has vmx/svm
//
// FAT images (target/fatimage.ts)
//   createFatImage({ image, size ("64M"|bytes), bits? 16|32, from? folder, force? }): FatImage
//                                  mkfs.fat + mcopy; every name checked first; MinnowError otherwise
// Published ports (target/publish.ts)
//   parsePublish(spec, where): PortForward   docker's [127.0.0.1:]HOST:GUEST[/tcp|/udp]
//   publishPorts(app, specs, components, where)  adds them to app.network.hostForwards, links net
//   portInUseError(forward)                      the one message for a host port that is taken
//
// Tools
//   checkTools(): ToolStatus[]      each needed tool with its path or none, and its package
//   installCommand(missing): string the apt command for them;  which(bin): string | undefined
//
// Instances (target/instances.ts: VMs in the background, a folder each under the user's cache)
//   startInstance(spec, supervisorCommand): Promise<InstanceState>   boots through a detached supervisor
//   listInstances(): Instance[]   (stale entries removed)   getInstance(name)   stopInstance(name)
//   removeInstance(name, force?)  statusText(i) ("exited (3)")  instancePorts(i)  consoleLog(i)
//
// Processes
//   Every child (make, QEMU) is killed when Node exits: exit, SIGINT, SIGTERM, SIGHUP,
//   uncaught exceptions. killAllChildren() does it on demand.

export { ERROR_IDS, MinnowError, isMinnowError, aptInstall, advise } from './errors';
export type { Advice, Audience, ErrorKind, Say } from './errors';
export { loadApp, parseJson, lineColumn, parseSize, MANIFEST, MACHINES, CPUS_MAX } from './config';
export type { AppConfig, DiskConfig, NetworkConfig, Driver, Machine } from './config';
export { validateManifest, MINNOW_SCHEMA } from './schema';
export type { SchemaProblem } from './schema';
export { kernelDir, examplesDir, minnowRoot } from './paths';
export { buildApp, makeArgs } from './build';
export { buildCacheDir, buildCacheEnabled, buildCacheSize, cleanBuildCache, cacheKey } from './buildcache';
export type { BuildOptions, BuildResult } from './build';
export { freePort, probePort, LOCALHOST } from './ports';
export { startQemu, findQemu, qemuOptionsFor, qemuEndedEarly, CONSOLE_EOF } from './qemu';
export { ensureLwip, hasLwip, lwipDir, LWIP_VERSION } from './lwip';
export type { StartQemuOptions, QemuInstance } from './qemu';
export { mapExit, EXIT_CRASH, EXIT_DEBUGGER, EXIT_OUT_OF_RANGE, qemuErrorLine } from './exit';
export type { QemuExit, ExitReason } from './exit';
export { buildQemuArgs, kernelCmdline, shellQuote, GDB_TRANSPORTS, MICROVM } from './qemuargs';
export type { GdbstubOptions, DeviceOptions, GdbTransport } from './qemuargs';
export { parseVolume, checkMount, checkFsDisk, checkVirtiofs, fsDeviceArgs, virtiofsMemoryArgs } from './mounts';
export type { MountConfig, FsDiskConfig, MountType } from './mounts';
export { startVirtiofsd, VIRTIOFSD } from './virtiofs';
export type { VirtiofsDaemons } from './virtiofs';
export { createFatImage, defaultFatBits } from './fatimage';
export type { FatImage, FatImageOptions, FatBits } from './fatimage';
export { parsePublish, parseHostForward, hostForwardText, publishPorts, describeForward, portInUseError, NET_COMPONENT } from './publish';
export type { PortForward } from './publish';
export { resolveAccel, probeKvm, ACCELS } from './accel';
export type { Accel, KvmProbe } from './accel';
export { checkTools, installCommand, which, hasQbootRom, TOOLS, QBOOT_ROM } from './tools';
export type { Tool, ToolStatus } from './tools';
export { killAllChildren, liveChildren } from './children';
export { instancesDir, listInstances, getInstance, startInstance, superviseInstance, stopInstance, removeInstance, statusText, instancePorts, instanceExitCode, consoleLog, isRunning, checkInstanceName } from './instances';
export { packApp, packTools, grubConfig, PACK_PACKAGES } from './pack';
export type { PackOptions, PackResult } from './pack';
export type { Instance, InstanceState, InstanceSpec, EndReason, ProcessId, SupervisorCommand } from './instances';
export { trace, tracing } from './trace';
