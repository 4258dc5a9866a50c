// The Minnow Kernel view, as the e2e scenarios look at it: shown (it reads the kernel only while
// visible) and its rows, apart from the Call Stack's (which lists the same thread names).

import type { Locator } from 'playwright-core';
import type { VsCode } from './harness';

/** Expands the Minnow Kernel view if it is collapsed (it reads the kernel when shown). */
export async function showKernelView(vsc: VsCode): Promise<void> {
  const header = vsc.page.locator('.pane-header', { hasText: /Minnow Kernel/i }).first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

/** Rows of the Minnow Kernel view only. */
export function kernelViewRows(vsc: VsCode, text: string | RegExp): Locator {
  const pane = vsc.page.locator('.pane', { has: vsc.page.locator('.pane-header', { hasText: /Minnow Kernel/i }) });
  return pane.locator('.pane-body .monaco-list-row', { hasText: text });
}
