// The web server example as a Minnow application: built with the kernel, booted once under QEMU
// (TCG), a temp folder mounted at /www over virtio-9p, a free 127.0.0.1 port forwarded to its port
// 80; the same HTTP behaviours as on the host (behaviours.ts), now through lwIP, the socket
// layer, the VFS and 9p.

import { describeBehaviours } from './behaviours';
import { buildMinnowServer, startMinnowServer } from './server';

describe('webserver on Minnow (TCG)', function () {
  before(async function () {
    this.timeout(600000);
    await buildMinnowServer();
  });

  describeBehaviours('behaviours', (root) => startMinnowServer(root));
});
