// lwIP, the TCP/IP stack of the "net" component: a dependency fetched from Debian's source package
// into the user's cache by kernel/tools/fetch-lwip.sh, never part of the repository. The build
// fetches it the first time an application names "net" (a user of the extension never ran npm
// start), and `minnow check` reports where it is. The folder is the Makefile's LWIP_DIR.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MinnowError } from './errors';

export const LWIP_VERSION = '2.1.3';

/** Where the Makefile looks for lwIP (kernel/Makefile, LWIP_DIR). */
export function lwipDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MINNOW_LWIP_DIR) return env.MINNOW_LWIP_DIR;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'minnow', `lwip-${LWIP_VERSION}`);
}

export function hasLwip(dir = lwipDir()): boolean {
  return existsSync(join(dir, 'src', 'core', 'tcp_in.c'));
}

/**
 * Fetches lwIP when it is missing (a few seconds, once per machine), its messages passed to
 * `onOutput`. Throws a MinnowError with the script's own reason when it cannot.
 */
export async function ensureLwip(kernelDir: string, onOutput?: (text: string) => void): Promise<string> {
  const dir = lwipDir();
  if (hasLwip(dir)) return dir;
  const script = join(kernelDir, 'tools', 'fetch-lwip.sh');
  if (!existsSync(script)) {
    throw new MinnowError(`the "net" component needs lwIP ${LWIP_VERSION} in ${dir}, and ${script} is missing`, 'Reinstall Minnow, or unpack lwIP 2.1.3 there (MINNOW_LWIP_DIR names another folder).', 'toolMissing');
  }
  onOutput?.(`minnow: fetching lwIP ${LWIP_VERSION} (the "net" component's TCP/IP stack) into ${dir}\n`);
  const child = spawn('sh', [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr.on('data', (b: Buffer) => {
    said += b.toString();
    onOutput?.(b.toString());
  });
  const status = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (code) => resolve(code));
  });
  if (status !== 0 || !hasLwip(dir)) {
    // the script's last "fetch-lwip: <problem>" and "fix: <what to do>" lines
    const last = (re: RegExp): string | undefined => [...said.matchAll(re)].pop()?.[1];
    const fix = last(/^fix: (.*)$/gm) ?? `Run sh ${script} by hand and read its messages.`;
    const why = last(/^fetch-lwip: (.*)$/gm) ?? `the script exited with ${status}`;
    throw new MinnowError(`cannot fetch lwIP ${LWIP_VERSION} for the "net" component: ${why}`, fix, 'toolMissing');
  }
  return dir;
}
