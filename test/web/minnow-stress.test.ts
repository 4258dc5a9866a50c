// Volume and malformed input against the example booted once on Minnow (TCG; see minnow.test.ts):
// 10,000 keep-alive requests with the kernel heap read from /stats (the kernel's own heap_stats)
// after the first and the last thousand, and 10,000 generated malformed requests, each on a
// connection of its own (which, with the server closing first, also reuses host ports that are
// still in the guest's TIME_WAIT: kernel/net/timewait.c).

import { buildMinnowServer, startMinnowServer } from './server';
import { describeStress } from './stress';

describe('webserver on Minnow (TCG) under load', function () {
  before(async function () {
    this.timeout(600000);
    await buildMinnowServer();
  });

  describeStress('stress', (root) => startMinnowServer(root), 900000);
});
