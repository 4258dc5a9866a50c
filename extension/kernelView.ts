// The "Minnow Kernel" view in Run and Debug: the kernel's threads (state, wait reason, stack
// use; grouped under "CPU 0", "CPU 1"... when the kernel runs on several), open descriptors (sockets, files with offset and flags, the console), mounts, sockets and
// connections, the network interface, devices and heap, asked of the adapter with
// `minnow/kernelInfo` at every stop while the view is visible (a hidden view is refreshed when it
// is shown: each answer costs gdb work).

import * as vscode from 'vscode';
import { cpuGroups, deviceRow, formatBytes, formatOpenFlags, ifaceRows, parseKernelInfo, socketDetail, socketLabel, threadCpu } from './kernelInfo';
import type { CpuGroup, KernelInfo, KernelThread } from './kernelInfo';
import { minnowRequest } from './requests';
import { trace } from './trace';

type Node =
  | { kind: 'group'; id: 'threads' | 'files' | 'mounts' | 'sockets' | 'iface' | 'devices' | 'heap'; label: string }
  | { kind: 'cpu'; group: CpuGroup }
  | { kind: 'thread'; thread: KernelThread; cpus?: number }
  | { kind: 'leaf'; label: string; description?: string; icon: string; tooltip?: string }
  | { kind: 'message'; label: string };

const STATE_ICONS: Record<string, string> = {
  running: 'play-circle',
  ready: 'circle-outline',
  sleeping: 'watch',
  blocked: 'debug-pause',
  dead: 'circle-slash',
};

/** A file's fs, offset and open flags; sockets and the console just their kind. */
function fileDetail(f: KernelInfo['files'][number]): string {
  if (f.kind === 'socket' || f.kind === 'console' || f.offset === undefined) return f.kind;
  return [f.kind, `offset ${f.offset}`, f.flags !== undefined ? formatOpenFlags(f.flags) : ''].filter(Boolean).join(' · ');
}

export class KernelView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private info: KernelInfo | undefined;
  private message = 'Start a Minnow debug session to see the kernel.';
  private session: vscode.DebugSession | undefined;
  private generation = 0;
  private visible = false;
  /** Stopped since the last snapshot, and the snapshot was put off because the view was hidden. */
  private stale = false;

  /** Follows the view's visibility: a view shown while stopped gets its snapshot then. */
  attach(view: vscode.TreeView<unknown>): vscode.Disposable {
    this.visible = view.visible;
    return view.onDidChangeVisibility((e) => {
      this.visible = e.visible;
      if (e.visible && this.stale && this.session) void this.refresh(this.session);
    });
  }

  /** The target stopped: refresh now if the view is visible, else when it is shown. */
  stopped(session: vscode.DebugSession): void {
    this.session = session;
    if (this.visible) {
      void this.refresh(session);
      return;
    }
    this.stale = true;
    this.info = undefined;
    this.message = 'Stopped (the kernel is read when this view is shown).';
    trace('kernel-view-deferred', {});
  }

  /** Asks the adapter for a fresh snapshot. */
  async refresh(session: vscode.DebugSession): Promise<void> {
    this.stale = false;
    this.session = session;
    const mine = ++this.generation;
    try {
      const body = await minnowRequest(session, 'minnow/kernelInfo', {});
      if (mine !== this.generation) return;
      this.info = parseKernelInfo(body);
      const byCpu = cpuGroups(this.info);
      trace('kernel-view', {
        threads: this.info.threads.map((t) => `${t.name}:${t.state}`),
        cpus: byCpu?.groups.map((g) => ({ label: g.label, running: g.running?.name, threads: g.threads.map((t) => t.name) })),
        devices: this.info.devices.length, sockets: this.info.sockets?.map((x) => `${x.proto} ${x.local} ${x.state}`),
      });
    } catch (e) {
      if (mine !== this.generation) return;
      this.info = undefined;
      this.message = `The adapter did not answer minnow/kernelInfo: ${e instanceof Error ? e.message : String(e)}`;
      trace('kernel-view-error', { message: this.message });
    }
    this.changed.fire(undefined);
  }

  /** While the target runs, the last snapshot is stale: say so rather than show it. */
  running(): void {
    this.stale = false;
    this.info = undefined;
    this.message = 'Running… (the kernel is shown when it stops)';
    this.changed.fire(undefined);
  }

  ended(session: vscode.DebugSession): void {
    if (this.session?.id !== session.id) return;
    this.session = undefined;
    this.stale = false;
    this.info = undefined;
    this.message = 'Start a Minnow debug session to see the kernel.';
    this.changed.fire(undefined);
  }

  async reload(): Promise<void> {
    if (this.session) await this.refresh(this.session);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.id}`;
        return item;
      }
      case 'cpu': {
        const g = node.group;
        const item = new vscode.TreeItem(g.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `cpu:${g.cpu.id}`;
        item.description = g.description;
        item.tooltip = `CPU ${g.cpu.id}${g.cpu.apicId !== undefined ? ` (local APIC ${g.cpu.apicId})` : ''}: ${g.description}`;
        item.iconPath = new vscode.ThemeIcon('chip');
        return item;
      }
      case 'thread': {
        const t = node.thread;
        const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.None);
        item.id = `thread:${t.id}`;
        const parts = [t.state];
        if (t.waitReason) parts.push(t.waitReason);
        if (t.stackUsed !== undefined && t.stackSize) parts.push(`stack ${formatBytes(t.stackUsed)} / ${formatBytes(t.stackSize)}`);
        item.description = parts.join(' · ');
        const cpu = node.cpus ? threadCpu(t) : undefined;
        item.tooltip = `Thread ${t.id} "${t.name}"${cpu !== undefined ? ` on CPU ${cpu}` : ''}: ${item.description}`;
        // the thread on a CPU now stands out in its CPU's group (and in the flat list)
        const running = t.state === 'running';
        item.iconPath = new vscode.ThemeIcon(STATE_ICONS[t.state] ?? 'circle-small', running ? new vscode.ThemeColor('debugIcon.startForeground') : undefined);
        item.contextValue = 'minnowThread';
        item.command = { command: 'minnow.selectThread', title: 'Show in Call Stack', arguments: [t.id] };
        return item;
      }
      case 'leaf': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    }
  }

  getChildren(node?: Node): Node[] {
    const info = this.info;
    if (!node) {
      if (!info) return [{ kind: 'message', label: this.message }];
      const cpus = info.cpus.length > 1 ? ` on ${info.cpus.length} CPUs` : '';
      const groups: Node[] = [{ kind: 'group', id: 'threads', label: `Threads (${info.threads.length}${cpus})` }];
      groups.push({ kind: 'group', id: 'files', label: `Open files (${info.files.length})` });
      if (info.mounts.length) groups.push({ kind: 'group', id: 'mounts', label: `Mounts (${info.mounts.length})` });
      if (info.sockets) {
        const n = info.sockets.length + (info.socketsUnlisted ?? 0);
        groups.push({ kind: 'group', id: 'sockets', label: `Sockets (${n})` });
      }
      if (info.iface) groups.push({ kind: 'group', id: 'iface', label: 'Interface' });
      groups.push({ kind: 'group', id: 'devices', label: `Devices (${info.devices.length})` });
      if (info.heap) groups.push({ kind: 'group', id: 'heap', label: 'Heap' });
      for (const m of info.missing) groups.push({ kind: 'message', label: `not available: ${m}` });
      return groups;
    }
    if (node.kind === 'cpu') return node.group.threads.map((thread) => ({ kind: 'thread', thread, cpus: info?.cpus.length }));
    if (node.kind !== 'group' || !info) return [];
    switch (node.id) {
      case 'threads': {
        const byCpu = cpuGroups(info);
        if (!byCpu) return info.threads.map((thread) => ({ kind: 'thread', thread }));
        const rows: Node[] = byCpu.groups.map((group) => ({ kind: 'cpu', group }));
        for (const thread of byCpu.others) rows.push({ kind: 'thread', thread });
        return rows;
      }
      case 'files':
        return info.files.map((f) => ({
          kind: 'leaf',
          label: `${f.fd}: ${f.label || f.kind}`,
          description: fileDetail(f),
          icon: f.kind === 'socket' ? 'plug' : f.kind === 'console' ? 'terminal' : 'file',
          tooltip: `descriptor ${f.fd}, ${f.kind}: ${f.label}${fileDetail(f) === f.kind ? '' : ` (${fileDetail(f)})`}`,
        }));
      case 'mounts':
        return info.mounts.map((m) => ({
          kind: 'leaf',
          label: m.path,
          description: [m.fs, m.host ?? m.source, m.readOnly ? 'read-only' : ''].filter(Boolean).join(' · '),
          icon: m.readOnly ? 'lock' : 'folder',
          tooltip: `${m.path}: ${m.fs} (${m.source})${m.host ? ` from ${m.host}` : ''}${m.readOnly ? ', read-only' : ''}${m.opens !== undefined ? `, ${m.opens} opened so far` : ''}`,
        }));
      case 'sockets': {
        const rows: Node[] = (info.sockets ?? []).map((x) => ({
          kind: 'leaf',
          label: socketLabel(x),
          description: x.state,
          icon: x.state === 'LISTEN' ? 'radio-tower' : x.proto === 'udp' ? 'mail' : 'plug',
          tooltip: `${socketLabel(x)}, ${x.state}${socketDetail(x) ? `: ${socketDetail(x)}` : ''}`,
        }));
        // the kernel's table is NET_SOCK_MAX long (kernel/include/kernel/net.h)
        if (info.socketsUnlisted) rows.push({ kind: 'message', label: `${info.socketsUnlisted} more, past the kernel's table (NET_SOCK_MAX)` });
        return rows;
      }
      case 'iface':
        return info.iface ? ifaceRows(info.iface).map((r) => ({ kind: 'leaf', ...r })) : [];
      case 'devices':
        return info.devices.map((d) => ({ kind: 'leaf', ...deviceRow(d), icon: 'plug' }));
      case 'heap': {
        const h = info.heap;
        if (!h) return [];
        const pct = h.total ? Math.round((100 * h.used) / h.total) : 0;
        return [{ kind: 'leaf', label: `${formatBytes(h.used)} used of ${formatBytes(h.total)}`, description: `${pct}%`, icon: 'database' }];
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
