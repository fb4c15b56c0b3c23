/**
 * Test support: the embedded DynamoDB behind a real node:http server on 127.0.0.1:0, the way the
 * AWS endpoint serves it (body read once, `ServiceRequest` built, matches/handle), plus an SDK client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
import { dynamodbService, type DynamoDbService } from './index.js';

export interface TestEndpoint {
  url: string;
  port: number;
  dataDir: string;
  service: DynamoDbService;
  client: DynamoDBClient;
  /** Raw JSON 1.0 call, for APIs without an installed client (DynamoDB Streams). */
  call(target: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Stops the server and the service; keeps the data folder unless `removeData`. */
  close(removeData?: boolean): Promise<void>;
}

export { testProject as emptyProject } from '../testing.js';
import { testProject as emptyProject } from '../testing.js';

export async function startEndpoint(options: { dataDir?: string; resources?: TemplateResource[] } = {}): Promise<TestEndpoint> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gatehouse-ddb-'));
  let service: DynamoDbService;
  try {
    service = (await dynamodbService({
      dataDir,
      region: 'us-east-1',
      accountId: '000000000000',
      endpoint: 'http://127.0.0.1',
      log: createLogger('silent'),
      project: emptyProject(options.resources),
    })) as DynamoDbService;
  } catch (error) {
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  // The endpoint's own dispatcher, so tests see the request handling gatehouse serves.
  const server: Server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => [service], log: createLogger('silent') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  return {
    url,
    port,
    dataDir,
    service,
    client,
    async call(target, body) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close(removeData = false) {
      client.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets (SDK agent, fetch) would hold close() until their timeout.
      server.closeAllConnections();
      await closed;
      await service.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error an SDK call rejects with: its name (the part after '#') and message. */
export async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; error: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    return { name: e.name, message: e.message, error: e };
  }
  throw new Error('expected the call to fail');
}
