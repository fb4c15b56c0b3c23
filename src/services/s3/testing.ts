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
import type { EmbeddedService } from '../service.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
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
  // The endpoint's own dispatcher, so tests see the request handling gatehouse serves.
  const server: Server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => (service === undefined ? [] : [service]), log: createLogger('silent') }));
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
