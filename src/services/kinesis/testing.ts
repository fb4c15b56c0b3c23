/**
 * Test support: the embedded Kinesis behind a real node:http server on 127.0.0.1:0, served the way
 * the AWS endpoint serves it (body read once, `ServiceRequest` built, matches/handle), and an SDK v3
 * client on HTTP/1.1 (the SDK's Kinesis default is HTTP/2; this plain server speaks HTTP/1.1 only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import type { EmbeddedService } from '../service.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
import { createKinesisService, type KinesisService } from './index.js';

export { testProject } from '../testing.js';
import { testProject } from '../testing.js';

/** Serves `services` on 127.0.0.1:0; returns the URL and a close function. */
export async function serve(services: EmbeddedService[]): Promise<{ url: string; close(): Promise<void> }> {
  // The endpoint's own dispatcher, so tests see the request handling gatehouse serves.
  const server: Server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => services, log: createLogger('silent') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface KinesisEndpoint {
  url: string;
  dataDir: string;
  service: KinesisService;
  client: KinesisClient;
  /** A raw call with any content type (CBOR tests). */
  raw(operation: string, contentType: string, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }>;
  close(removeData?: boolean): Promise<void>;
}

export async function startKinesis(options: { dataDir?: string; resources?: TemplateResource[] } = {}): Promise<KinesisEndpoint> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gatehouse-kinesis-'));
  const service = await createKinesisService({
    dataDir,
    region: 'us-east-1',
    accountId: '000000000000',
    endpoint: 'http://127.0.0.1',
    log: createLogger('silent'),
    project: testProject(options.resources),
  });
  const server = await serve([service]);
  const client = new KinesisClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  return {
    url: server.url,
    dataDir,
    service,
    client,
    async raw(operation, contentType, body) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'Content-Type': contentType, 'X-Amz-Target': `Kinesis_20131202.${operation}` },
        body,
      });
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
    },
    async close(removeData = false) {
      client.destroy();
      await server.close();
      await service.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error an SDK call rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}
