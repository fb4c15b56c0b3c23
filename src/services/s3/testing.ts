/**
 * Test support: the S3 service behind a real node:http server on 127.0.0.1:0, routed the way the
 * AWS endpoint routes (body read once, `matches` then `handle`), on a temp data dir that can be
 * reopened to test durability. Not used at run time.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import type { EmbeddedService, ServiceRequest } from '../service.js';
import { s3Service, type S3ServiceOptions } from './index.js';

export interface TestS3 {
  url: string;
  port: number;
  dataDir: string;
  service: EmbeddedService;
  /** Closes the service and opens a new one on the same data dir (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export { testProject } from '../testing.js';
import { testProject } from '../testing.js';

export function templateResource(logicalId: string, type: string, physicalId: string, properties: Record<string, unknown> = {}): TemplateResource {
  return { logicalId, type, physicalId, properties, attributes: {}, source: { file: '/tmp/template.yaml', pointer: `/Resources/${logicalId}` } };
}

export async function startS3(options: S3ServiceOptions & { resources?: TemplateResource[]; dataDir?: string } = {}): Promise<TestS3> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-s3-'));
  const ownsDir = options.dataDir === undefined;
  let service: EmbeddedService | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
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
      if (service === undefined || !service.matches(request)) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('not claimed by s3');
        return;
      }
      service.handle(request, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const open = () =>
    s3Service(
      {
        dataDir,
        region: 'us-east-1',
        accountId: '000000000000',
        endpoint: url,
        log: createLogger('silent'),
        project: testProject(options.resources),
      },
      options,
    );
  service = await open();
  const handle: TestS3 = {
    url,
    port,
    dataDir,
    service,
    async restart() {
      await service!.close();
      service = await open();
      handle.service = service;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service!.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
