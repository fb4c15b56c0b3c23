/**
 * Test support: embedded services behind a real node:http server on 127.0.0.1:0, dispatched the
 * way the AWS endpoint does it (body read once, `ServiceRequest` built, the first service whose
 * `matches` is true answers), with restart on the same data folder and SDK v3 clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import type { EmbeddedService, ServiceContext } from '../service.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';

export interface TestEndpoint {
  url: string;
  dataDir: string;
  services: EmbeddedService[];
  /** Every request the endpoint saw (method, path, headers), for protocol assertions. */
  seen: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /** Closes the services and creates them again on the same data folder (a process restart). */
  restart(): Promise<void>;
  /** Stops the server and the services; removes the data folder unless `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

export const CREDENTIALS = { accessKeyId: 'AKIDGATEHOUSETEST', secretAccessKey: 'secret' };

export { testProject } from '../testing.js';
import { testProject } from '../testing.js';

export function resource(logicalId: string, type: string, properties: Record<string, unknown>, physicalId: string): TemplateResource {
  return { logicalId, type, properties, physicalId, attributes: {}, source: { file: '/tmp/template.yaml', pointer: `/Resources/${logicalId}` } };
}

export async function startEndpoint(options: {
  factories: ((context: ServiceContext) => Promise<EmbeddedService>)[];
  dataDir?: string;
  resources?: (url: string) => TemplateResource[];
}): Promise<TestEndpoint> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gatehouse-sqs-'));
  const services: EmbeddedService[] = [];
  const seen: TestEndpoint['seen'] = [];
  // The endpoint's own dispatcher, so tests see the request handling gatehouse serves.
  const dispatch = createAwsEndpointHandler({ ready: () => true, services: () => services, log: createLogger('silent') });
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push({ method: req.method ?? 'GET', path: url.split('?')[0]!, headers: req.headers });
    dispatch(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const project = testProject(options.resources?.(url) ?? []);
  const create = async () => {
    for (const factory of options.factories) {
      services.push(
        await factory({ dataDir: dataDir, region: 'us-east-1', accountId: '000000000000', endpoint: url, log: createLogger('silent'), project }),
      );
    }
  };
  const closeServices = async () => {
    for (const service of services.splice(0).reverse()) await service.close();
  };
  try {
    await create();
  } catch (error) {
    server.close();
    await closeServices();
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    dataDir,
    services,
    seen,
    async restart() {
      await closeServices();
      await create();
    },
    async close(keepData = false) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeServices();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the AWS CLI v1 against the endpoint; resolves with its parsed JSON output (or text). */
export async function awsCli(endpoint: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: unknown }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('aws', ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = stdout.trim() === '' ? undefined : JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** A form-encoded query-protocol call (what API Gateway and old clients send). */
export async function queryCall(
  url: string,
  params: Record<string, string>,
  options: { path?: string; accept?: string; headers?: Record<string, string>; method?: 'GET' | 'POST' } = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  if (options.accept !== undefined) headers['accept'] = options.accept;
  const form = new URLSearchParams(params).toString();
  const response =
    options.method === 'GET'
      ? await fetch(`${url}${options.path ?? '/'}?${form}`, { headers })
      : await fetch(url + (options.path ?? '/'), { method: 'POST', headers, body: form });
  return { status: response.status, body: await response.text(), headers: response.headers };
}
