// The web server example's sources built for the host (test/web/host stands in for <minnow.h>)
// and checked with curl, Node's http and raw sockets: the HTTP behaviour, independent of the
// kernel's network and file system.

import { describeBehaviours } from './behaviours';
import { startHostServer } from './server';

describeBehaviours('webserver on the host', (root) => startHostServer(root));
