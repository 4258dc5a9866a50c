// Variable objects with a simple lifecycle: created on demand while the target is stopped, all
// deleted when it resumes (`clear`), so gdb never accumulates stale ones. Children are listed
// once per stop and cached.

import * as mi from './commands';
import type { GdbSession } from './session';
import type { MiVarObj } from './types';

export class VarObjects {
  private readonly roots = new Set<string>();
  private readonly children = new Map<string, MiVarObj[]>();

  constructor(private readonly gdb: GdbSession) {}

  async create(expr: string, c?: mi.Context, hex = false): Promise<MiVarObj> {
    const v = await mi.varCreate(this.gdb, expr, c);
    this.roots.add(v.name);
    if (hex && v.numchild === 0) v.value = await mi.varSetFormat(this.gdb, v.name, 'hexadecimal');
    else if (hex) await mi.varSetFormat(this.gdb, v.name, 'hexadecimal');
    return v;
  }

  async listChildren(name: string, hex = false): Promise<MiVarObj[]> {
    const key = `${name}/${hex}`;
    const cached = this.children.get(key);
    if (cached) return cached;
    let kids = await mi.varListChildren(this.gdb, name);
    // C structs show access labels (public/private) only for C++; skip such pseudo children
    const flat: MiVarObj[] = [];
    for (const k of kids) {
      if (k.type === '' && /^(public|private|protected)$/.test(k.exp)) {
        flat.push(...(await mi.varListChildren(this.gdb, k.name)));
      } else flat.push(k);
    }
    kids = flat;
    if (hex) {
      for (const k of kids) {
        if (k.numchild === 0) k.value = await mi.varSetFormat(this.gdb, k.name, 'hexadecimal');
      }
    }
    this.children.set(key, kids);
    return kids;
  }

  async assign(name: string, expr: string): Promise<string> {
    const v = await mi.varAssign(this.gdb, name, expr);
    this.children.clear();
    return v;
  }

  pathExpression(name: string): Promise<string> {
    return mi.varPathExpression(this.gdb, name);
  }

  /** Deletes every variable object (on resume). Errors are ignored: gdb may be gone. */
  async clear(): Promise<void> {
    const roots = [...this.roots];
    this.roots.clear();
    this.children.clear();
    await Promise.all(roots.map((r) => mi.varDelete(this.gdb, r).catch(() => undefined)));
  }
}
