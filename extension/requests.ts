// Sending Minnow's own DAP requests (debug-adapter/requests.ts types them for both sides). The
// answer stays `unknown`: the caller checks it field by field (an older or newer adapter may
// answer with less or more).

import type * as vscode from 'vscode';
import type { MinnowRequest, RequestArgs } from '../debug-adapter/requests';

export function minnowRequest<R extends MinnowRequest>(session: vscode.DebugSession, name: R, args: RequestArgs<R>): Thenable<unknown> {
  return session.customRequest(name, args);
}
