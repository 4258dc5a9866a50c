// Every measure of `npm run bench`, in the order of the table (issue 7), then the side-by-side
// sections against the Linux microVM peer and the host (issues 10, 14, 15, 11), in the order printed.

import type { CompareMeasure } from '../lib/compare';
import type { Measure } from '../lib/context';
import { boot } from './boot';
import { build } from './build';
import { dap } from './dap';
import { f5 } from './f5';
import { memory } from './memory';
import { peerEcho, peerFiles } from './peer';
import { peerSmp } from './peer-smp';
import { size } from './size';
import { smp } from './smp';
import { stubs, stubsSmp } from './stubs';
import { threads } from './threads';
import { virtio } from './virtio';
import { web } from './web';

export const MEASURES: readonly Measure[] = [boot, size, memory, threads, smp, stubs, stubsSmp, dap, build, f5, virtio];

export const COMPARISONS: readonly CompareMeasure[] = [web, peerEcho, peerFiles, peerSmp];
