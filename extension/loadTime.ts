// Imported first by extension.ts, so that this runs before the rest of the bundle is evaluated:
// activation time = loading the bundle + activate(), as VS Code counts it.
import { performance } from 'node:perf_hooks';

export const LOAD_START = performance.now();
