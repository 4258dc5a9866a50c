// Every measure of `npm run bench`, in the order of the table (issue 7).

import type { Measure } from '../lib/context';
import { boot } from './boot';
import { build } from './build';
import { dap } from './dap';
import { memory } from './memory';
import { size } from './size';
import { stubs } from './stubs';
import { threads } from './threads';
import { virtio } from './virtio';

export const MEASURES: readonly Measure[] = [boot, size, memory, threads, stubs, dap, build, virtio];
