// The body of the custom DAP request `minnow/kernelInfo` (contract: README.md, "Contracts between the parts";
// "Extension ↔ adapter"), checked field by field: the view shows what it can of a partial or
// newer answer instead of failing.

export interface KernelThread {
  /** The DAP thread id (the same ids as the `threads` request). */
  id: number;
  name: string;
  /** running | ready | sleeping | blocked | dead, or whatever newer state the kernel reports. */
  state: string;
  waitReason?: string;
  stackUsed?: number;
  stackSize?: number;
  /** the CPU whose scheduler runs it */
  cpu?: number;
  /** the CPU it last ran on: where it runs when running */
  onCpu?: number;
}

/** One CPU of the kernel (percpu_cpus[] in kernel/include/kernel/percpu.h). */
export interface KernelCpu {
  id: number;
  apicId?: number;
  online: boolean;
  /** the DAP thread id of the thread running on it */
  current?: number;
  /** the DAP thread id of its idle thread */
  idle?: number;
  /** trap handlers running on it; 1 is the debugger's own stop (kernel/debug) */
  trapDepth?: number;
  switches?: number;
  wakeIpis?: number;
  /** device interrupts taken */
  irqs?: number;
}

export interface KernelDevice {
  name: string;
  kind: string;
  detail?: string;
}

/** An open descriptor: a socket, a file, the console. */
export interface KernelFile {
  fd: number;
  kind: string;
  label: string;
  offset?: number;
  /** open(2)'s O_ACCMODE | O_APPEND | O_NONBLOCK */
  flags?: number;
}

/** A mounted filesystem: the guest path, its filesystem, what holds it. */
export interface KernelMount {
  path: string;
  fs: string;
  /** "9p tag m0", "fat16 virtio-blk0" */
  source: string;
  /** the host folder or image, when the adapter launched the app */
  host?: string;
  readOnly: boolean;
  opens?: number;
}

/** A socket or connection: one used slot of the kernel's net_socks (kernel/include/kernel/net.h). */
export interface KernelSocket {
  /** "tcp", "udp" */
  proto: string;
  /** lwIP's state: "LISTEN", "ESTABLISHED", "TIME_WAIT", "UDP"... */
  state: string;
  /** "10.0.2.15:7" */
  local: string;
  remote: string;
  /** the descriptor, or -1 once closed (a connection lwIP still finishes) */
  fd?: number;
  rxQueued?: number;
  txQueued?: number;
  retransmits?: number;
  /** LISTEN: connections waiting for accept(), and listen()'s limit */
  backlog?: number;
  backlogMax?: number;
  /** the peer's window, the one offered (bytes), the segment size */
  sndWnd?: number;
  rcvWnd?: number;
  mss?: number;
}

/** The network interface: the kernel's net_iface0. */
export interface KernelIface {
  up: boolean;
  address: string;
  mask?: string;
  gateway?: string;
  dns?: string;
  mac?: string;
  mtu?: number;
  rxFrames?: number;
  txFrames?: number;
  rxBytes?: number;
  txBytes?: number;
  rxDropped?: number;
  txDropped?: number;
  /** frames waiting for a free transmit slot */
  txQueued?: number;
  /** how it got its address: "dhcp", "static", "none" */
  config?: string;
  /** TCP connections in TIME_WAIT, the cap, and how many ended early */
  timeWait?: { count: number; max: number; recycled: number; reused: number };
}

export interface KernelHeap {
  used: number;
  total: number;
}

export interface KernelInfo {
  threads: KernelThread[];
  /** the kernel's CPUs; empty from an adapter that does not report them */
  cpus: KernelCpu[];
  files: KernelFile[];
  mounts: KernelMount[];
  devices: KernelDevice[];
  /** absent when the kernel has no "net" component */
  sockets?: KernelSocket[];
  /** sockets the kernel's table had no room for */
  socketsUnlisted?: number;
  iface?: KernelIface;
  heap?: KernelHeap;
  uptimeMs?: number;
  /** Parts the adapter could not read ("devices: No symbol virtio_devices"). */
  missing: string[];
}

/** Virtio device ids (virtio 1.2, section 5) as the kernel's device table reports them. */
const VIRTIO_KINDS: Record<number, string> = { 1: 'virtio-net', 2: 'virtio-blk', 3: 'virtio-console', 9: 'virtio-9p', 26: 'virtio-fs' };

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function parseKernelInfo(body: unknown): KernelInfo {
  const b = obj(body) ?? {};
  const threads: KernelThread[] = [];
  for (const t of Array.isArray(b.threads) ? b.threads : []) {
    const o = obj(t);
    const id = num(o?.id);
    if (!o || id === undefined) continue;
    threads.push({
      id,
      name: str(o.name) ?? `thread ${id}`,
      state: str(o.state) ?? 'unknown',
      waitReason: str(o.waitReason) || undefined,
      stackUsed: num(o.stackUsed),
      stackSize: num(o.stackSize),
      cpu: num(o.cpu),
      onCpu: num(o.onCpu),
    });
  }
  const cpus: KernelCpu[] = [];
  for (const c of Array.isArray(b.cpus) ? b.cpus : []) {
    const o = obj(c);
    const id = num(o?.id);
    if (!o || id === undefined) continue;
    cpus.push({
      id,
      apicId: num(o.apicId),
      online: o.online !== false,
      current: num(o.current),
      idle: num(o.idle),
      trapDepth: num(o.trapDepth),
      switches: num(o.switches),
      wakeIpis: num(o.wakeIpis),
      irqs: num(o.irqs),
    });
  }
  const devices: KernelDevice[] = [];
  for (const d of Array.isArray(b.devices) ? b.devices : []) {
    const o = obj(d);
    if (!o) continue;
    // the adapter sends { name, deviceId, claimed, irqCount }; { kind, detail } also accepted
    const deviceId = num(o.deviceId);
    const kind = str(o.kind) ?? (deviceId !== undefined ? VIRTIO_KINDS[deviceId] ?? `virtio device ${deviceId}` : '');
    const parts: string[] = [];
    if (str(o.detail)) parts.push(str(o.detail)!);
    if (o.claimed === false) parts.push('no driver');
    const irqs = num(o.irqCount);
    if (irqs !== undefined) parts.push(`${irqs} interrupt${irqs === 1 ? '' : 's'}`);
    devices.push({ name: str(o.name) ?? '?', kind, detail: parts.join(', ') || undefined });
  }
  const files: KernelFile[] = [];
  for (const f of Array.isArray(b.files) ? b.files : []) {
    const o = obj(f);
    const fd = num(o?.fd);
    if (!o || fd === undefined) continue;
    const file: KernelFile = { fd, kind: str(o.kind) ?? '?', label: str(o.label) ?? '' };
    if (num(o.offset) !== undefined) file.offset = num(o.offset);
    if (num(o.flags) !== undefined) file.flags = num(o.flags);
    files.push(file);
  }
  const mounts: KernelMount[] = [];
  for (const m of Array.isArray(b.mounts) ? b.mounts : []) {
    const o = obj(m);
    const path = str(o?.path);
    if (!o || !path) continue;
    const mount: KernelMount = { path, fs: str(o.fs) ?? '?', source: str(o.source) ?? '', readOnly: o.readOnly === true };
    if (str(o.host)) mount.host = str(o.host);
    if (num(o.opens) !== undefined) mount.opens = num(o.opens);
    mounts.push(mount);
  }
  let sockets: KernelSocket[] | undefined;
  if (Array.isArray(b.sockets)) {
    sockets = [];
    for (const x of b.sockets) {
      const o = obj(x);
      const local = str(o?.local);
      if (!o || local === undefined) continue;
      const sock: KernelSocket = { proto: str(o.proto) ?? '?', state: str(o.state) ?? '', local, remote: str(o.remote) ?? '' };
      for (const k of ['fd', 'rxQueued', 'txQueued', 'retransmits', 'backlog', 'backlogMax', 'sndWnd', 'rcvWnd', 'mss'] as const) if (num(o[k]) !== undefined) sock[k] = num(o[k]);
      sockets.push(sock);
    }
  }
  const n = obj(b.iface);
  let iface: KernelIface | undefined;
  if (n && str(n.address) !== undefined) {
    iface = { up: n.up === true, address: str(n.address)! };
    for (const k of ['mask', 'gateway', 'dns', 'mac', 'config'] as const) if (str(n[k]) !== undefined) iface[k] = str(n[k]);
    for (const k of ['mtu', 'rxFrames', 'txFrames', 'rxBytes', 'txBytes', 'rxDropped', 'txDropped', 'txQueued'] as const) if (num(n[k]) !== undefined) iface[k] = num(n[k]);
    const tw = obj(n.timeWait) ?? {};
    const twn = ['count', 'max', 'recycled', 'reused'].map((k) => num(tw[k]));
    if (twn.every((x) => x !== undefined)) iface.timeWait = { count: twn[0]!, max: twn[1]!, recycled: twn[2]!, reused: twn[3]! };
  }
  const h = obj(b.heap);
  const used = num(h?.usedBytes) ?? num(h?.used);
  const total = num(h?.arenaBytes) ?? num(h?.total);
  // an application without virtio drivers has no device table: that is "no devices", not an error
  const missing = (Array.isArray(b.missing) ? b.missing : []).filter(
    (m): m is string => typeof m === 'string' && !/No symbol "virtio_devices"/.test(m),
  );
  return {
    threads,
    cpus,
    files,
    mounts,
    devices,
    sockets,
    socketsUnlisted: sockets && num(b.socketsUnlisted) ? num(b.socketsUnlisted) : undefined,
    iface,
    heap: used !== undefined && total !== undefined ? { used, total } : undefined,
    uptimeMs: num(b.uptimeMs),
    missing,
  };
}

/** open(2)'s flags as a C programmer writes them (Linux's values, kernel/include/fcntl.h). */
export function formatOpenFlags(flags: number): string {
  const parts = [['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][flags & 3]];
  if (flags & 0o2000) parts.push('O_APPEND');
  if (flags & 0o4000) parts.push('O_NONBLOCK');
  return parts.join('|');
}

/** A listener has no remote end: its row shows the local address only. */
export function socketLabel(x: KernelSocket): string {
  const idle = x.state === 'LISTEN' || /^0\.0\.0\.0:0$/.test(x.remote) || x.remote === '';
  return idle ? `${x.proto} ${x.local}` : `${x.proto} ${x.local} → ${x.remote}`;
}

/** The queues and counters of a socket, as much as the kernel reported. */
export function socketDetail(x: KernelSocket): string {
  const parts: string[] = [];
  if (x.state === 'LISTEN') {
    if (x.backlog !== undefined) parts.push(`${x.backlog}${x.backlogMax ? ` of ${x.backlogMax}` : ''} waiting for accept`);
  } else {
    if (x.rxQueued !== undefined) parts.push(`rx queued ${formatBytes(x.rxQueued)}`);
    if (x.txQueued !== undefined) parts.push(`tx queued ${formatBytes(x.txQueued)}`);
    if (x.retransmits !== undefined) parts.push(`${x.retransmits} retransmit${x.retransmits === 1 ? '' : 's'}`);
    if (x.proto === 'tcp' && x.sndWnd !== undefined && x.rcvWnd !== undefined) parts.push(`windows ${formatBytes(x.sndWnd)} out, ${formatBytes(x.rcvWnd)} in`);
    if (x.proto === 'tcp' && x.mss) parts.push(`mss ${x.mss}`);
  }
  // -1: closed and still finishing (TIME_WAIT), or the kernel's own (the DHCP client's UDP)
  if (x.fd !== undefined) parts.push(x.fd >= 0 ? `fd ${x.fd}` : 'no descriptor');
  return parts.join(', ');
}

/** One row of the Interface group; icon: a codicon name. */
export interface IfaceRow {
  label: string;
  description?: string;
  icon: string;
  tooltip?: string;
}

/** The interface's rows: address/prefix with gateway and DNS, MAC and MTU, then the counters. */
export function ifaceRows(n: KernelIface): IfaceRow[] {
  const rows: IfaceRow[] = [];
  const leaf = (label: string, description: string | undefined, icon: string, tooltip?: string): void => {
    rows.push({ label, description, icon, tooltip });
  };
  // the mask's set bits: 255.255.255.0 is /24
  const prefix = n.mask?.split('.').reduce((bits, octet) => bits + [...(Number(octet) >>> 0).toString(2)].filter((d) => d === '1').length, 0);
  leaf(
    n.up ? `${n.address}${prefix !== undefined ? `/${prefix}` : ''}` : 'no address',
    [n.gateway ? `gateway ${n.gateway}` : '', n.dns ? `dns ${n.dns}` : '', n.config ?? ''].filter(Boolean).join(' · ') || undefined,
    n.up ? 'globe' : 'circle-slash',
    `address ${n.address}, mask ${n.mask ?? '?'}, gateway ${n.gateway ?? '?'}, dns ${n.dns ?? '?'}`,
  );
  if (n.mac !== undefined || n.mtu !== undefined) leaf(`MAC ${n.mac ?? '?'}`, n.mtu !== undefined ? `MTU ${n.mtu}` : undefined, 'plug');
  const count = (frames?: number, bytes?: number, dropped?: number): string =>
    [frames !== undefined ? `${frames} frame${frames === 1 ? '' : 's'}` : '', bytes !== undefined ? formatBytes(bytes) : '', dropped ? `${dropped} dropped` : '']
      .filter(Boolean)
      .join(' · ');
  if (n.rxFrames !== undefined || n.rxBytes !== undefined) leaf('received', count(n.rxFrames, n.rxBytes, n.rxDropped), 'arrow-down', `${n.rxFrames ?? '?'} frames, ${n.rxBytes ?? '?'} bytes received, ${n.rxDropped ?? 0} dropped`);
  if (n.txFrames !== undefined || n.txBytes !== undefined) {
    const waiting = n.txQueued ? ` · ${n.txQueued} waiting` : '';
    leaf('sent', count(n.txFrames, n.txBytes, n.txDropped) + waiting, 'arrow-up', `${n.txFrames ?? '?'} frames, ${n.txBytes ?? '?'} bytes sent, ${n.txDropped ?? 0} dropped, ${n.txQueued ?? 0} waiting for a transmit slot`);
  }
  const tw = n.timeWait;
  if (tw) {
    const early = [tw.recycled ? `${tw.recycled} recycled` : '', tw.reused ? `${tw.reused} reused` : ''].filter(Boolean).join(' · ');
    leaf(
      'TIME_WAIT',
      `${tw.count} of ${tw.max}${early ? ` · ${early}` : ''}`,
      'history',
      `${tw.count} TCP connections in TIME_WAIT (at most ${tw.max}); ${tw.recycled} oldest freed past that cap, ${tw.reused} taken over by a new connection's SYN`,
    );
  }
  return rows;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A device's row: named by what it is ("virtio-net"), its address ("virtio-mmio@0xfeb00c00") and
 *  counters after; a device of an unknown kind keeps its address as the name. */
export function deviceRow(d: { name: string; kind?: string; detail?: string }): { label: string; description?: string } {
  if (!d.kind) return { label: d.name, description: d.detail };
  return { label: d.kind, description: [d.name, d.detail].filter(Boolean).join(' · ') };
}

/** The CPU a thread is shown under: where it runs, or whose scheduler will run it. */
export function threadCpu(t: KernelThread): number | undefined {
  return t.state === 'running' && t.onCpu !== undefined ? t.onCpu : t.cpu;
}

/** A CPU group of the Kernel view: its threads, the running one first. */
export interface CpuGroup {
  cpu: KernelCpu;
  threads: KernelThread[];
  /** the thread on it now */
  running?: KernelThread;
  label: string;
  description: string;
}

/**
 * The threads by CPU, for a kernel with more than one (undefined for one CPU: the view keeps its
 * flat list); `others`: threads whose CPU is not one of those listed (an older adapter's answer).
 */
export function cpuGroups(info: KernelInfo): { groups: CpuGroup[]; others: KernelThread[] } | undefined {
  if (info.cpus.length < 2) return undefined;
  const ids = new Set(info.cpus.map((c) => c.id));
  const groups = info.cpus.map((cpu) => {
    const mine = info.threads.filter((t) => threadCpu(t) === cpu.id);
    const running = mine.find((t) => t.id === cpu.current) ?? mine.find((t) => t.state === 'running');
    const threads = running ? [running, ...mine.filter((t) => t !== running)] : mine;
    const parts: string[] = [];
    if (!cpu.online) parts.push('offline');
    else if (running) parts.push(`running ${running.name}`);
    parts.push(`${mine.length} thread${mine.length === 1 ? '' : 's'}`);
    // the debugger's own stop is one trap (a breakpoint, or the NMI that parked the CPU): deeper
    // means it was inside an interrupt or fault handler when it stopped
    if (cpu.trapDepth !== undefined && cpu.trapDepth > 1) parts.push('in a trap handler');
    if (cpu.switches !== undefined) parts.push(`${cpu.switches} switch${cpu.switches === 1 ? '' : 'es'}`);
    if (cpu.wakeIpis) parts.push(`${cpu.wakeIpis} wake IPI${cpu.wakeIpis === 1 ? '' : 's'}`);
    if (cpu.irqs) parts.push(`${cpu.irqs} device interrupt${cpu.irqs === 1 ? '' : 's'}`);
    return { cpu, threads, running, label: `CPU ${cpu.id}`, description: parts.join(' · ') };
  });
  const others = info.threads.filter((t) => { const c = threadCpu(t); return c === undefined || !ids.has(c); });
  return { groups, others };
}
