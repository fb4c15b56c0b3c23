/**
 * Test support: the embedded SQS alone in a process (for the crash test, which kills it with
 * SIGKILL). Usage: node testing-child.js <dataDir>; prints the endpoint URL on one line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/log.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
import { sqsService } from './index.js';
import { testProject } from './testing.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: testing-child.js <dataDir>');
const services: Awaited<ReturnType<typeof sqsService>>[] = [];
const server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => services, log: createLogger('silent') }));
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  void sqsService({ dataDir, region: 'us-east-1', accountId: '000000000000', endpoint: url, log: createLogger('silent'), project: testProject() }).then((service) => {
    services.push(service);
    process.stdout.write(url + '\n');
  });
});
