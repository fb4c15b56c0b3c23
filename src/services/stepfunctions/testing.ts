/**
 * Test support: the embedded Step Functions behind a real node:http server on 127.0.0.1:0 (body read
 * once, `ServiceRequest` built, matches/handle, as the AWS endpoint does), with an SDK v3 SFN client.
 * The client sets `disableHostPrefix`: StartSyncExecution is otherwise sent to `sync-<host>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import type { EmbeddedService } from '../service.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
import { createStepFunctionsService, type StepFunctionsDeps } from './index.js';

export { testProject } from '../testing.js';
import { testProject } from '../testing.js';

export async function serve(service: EmbeddedService): Promise<{ url: string; close(): Promise<void> }> {
  // The endpoint's own dispatcher, so tests see the request handling gatehouse serves.
  const server: Server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => [service], log: createLogger('silent') }));
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

export function sfnClient(url: string): SFNClient {
  return new SFNClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1, disableHostPrefix: true });
}

export interface SfnEndpoint {
  url: string;
  dataDir: string;
  service: EmbeddedService;
  client: SFNClient;
  close(removeData?: boolean): Promise<void>;
}

export async function startStepFunctions(
  options: { dataDir?: string; resources?: TemplateResource[]; deps?: StepFunctionsDeps; templateFile?: string } = {},
): Promise<SfnEndpoint> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gatehouse-sfn-'));
  const service = await createStepFunctionsService(
    {
      dataDir,
      region: 'us-east-1',
      accountId: '000000000000',
      endpoint: 'http://127.0.0.1',
      log: createLogger('silent'),
      project: testProject(options.resources, options.templateFile),
    },
    options.deps,
  );
  const server = await serve(service);
  const client = sfnClient(server.url);
  return {
    url: server.url,
    dataDir,
    service,
    client,
    async close(removeData = false) {
      client.destroy();
      await server.close();
      await service.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A template state machine resource as the definitions loader produces it. */
export function machineResource(name: string, properties: Record<string, unknown>, type = 'AWS::Serverless::StateMachine'): TemplateResource {
  const arn = `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
  return { logicalId: name.replace(/[^A-Za-z0-9]/g, ''), type, properties, physicalId: arn, attributes: { Arn: arn, Name: name }, source: { file: '/tmp/template.yaml', pointer: `/Resources/${name}` } };
}

export async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

/** Polls until `check` returns a value (or the time is up). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
