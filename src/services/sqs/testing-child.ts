/**
 * Test support: the embedded SQS alone in a process (for the crash test, which kills it with
 * SIGKILL). Usage: node testing-child.js <dataDir>; prints the endpoint URL on one line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/log.js';
import type { ServiceRequest } from '../service.js';
import { sqsService } from './index.js';
import { testProject } from './testing.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: testing-child.js <dataDir>');
const services: Awaited<ReturnType<typeof sqsService>>[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const request: ServiceRequest = {
      raw: req,
      method: req.method ?? 'GET',
      path: q === -1 ? url : url.slice(0, q),
      query: q === -1 ? '' : url.slice(q + 1),
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    const service = services.find((s) => s.matches(request));
    if (service === undefined) res.writeHead(400).end();
    else service.handle(request, res).catch(() => res.writeHead(500).end());
  });
});
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  void sqsService({ dataDir, region: 'us-east-1', accountId: '000000000000', endpoint: url, log: createLogger('silent'), project: testProject() }).then((service) => {
    services.push(service);
    process.stdout.write(url + '\n');
  });
});
