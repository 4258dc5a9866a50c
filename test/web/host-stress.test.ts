// Volume and malformed input against the example built for the host (see host.test.ts).

import { startHostServer } from './server';
import { describeStress } from './stress';

describeStress('webserver on the host under load', (root) => startHostServer(root), 300000);
