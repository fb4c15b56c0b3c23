/**
 * One running gatehouse: loads the definition, compiles the deployment, starts the API server
 * and the AWS endpoint, reloads on change (`--watch`) and drains on close.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadDefinition, type LoadOptions } from '../definitions/index.js';
import type { Project } from '../definitions/model.js';
import { compileDeployment, type Deployment } from '../apigw/deployment.js';
import type { GatewayServices } from '../apigw/services.js';
import { VpcLinkRegistry } from '../apigw/integrations/vpc-link.js';
import { HttpClient } from '../http/client.js';
import { LambdaRuntime } from '../lambda/index.js';
import type { Logger } from '../core/log.js';
import { createApiHandler } from './api-handler.js';
import { createAwsEndpointHandler } from './aws-endpoint.js';

export interface GatehouseOptions {
  file: string;
  port: number;
  awsPort: number;
  host: string;
  stage?: string;
  dataDir: string;
  watch: boolean;
  parameterOverrides: Record<string, string>;
  stackName?: string;
  log: Logger;
}

export interface Gatehouse {
  project: Project;
  deployment: Deployment;
  apiUrl: string;
  awsUrl: string;
  close(): Promise<void>;
}

export async function startGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { log } = options;
  const file = resolvePath(options.file);
  mkdirSync(options.dataDir, { recursive: true });

  // Listen first so the AWS endpoint URL (queue URLs, AWS_ENDPOINT_URL) carries the real port,
  // even with --aws-port 0; health answers 503 until the deployment is compiled.
  let ready = false;
  let deployment: Deployment | null = null;
  const apiServer = createServer({ keepAliveTimeout: 65_000 }, createApiHandler({ deployment: () => deployment!, log }));
  const awsServer = createServer(createAwsEndpointHandler({ ready: () => ready, handlers: [] }));
  await Promise.all([listen(apiServer, options.port, options.host), listen(awsServer, options.awsPort, options.host)]);
  const apiUrl = `http://${urlHost(options.host)}:${(apiServer.address() as AddressInfo).port}`;
  const awsUrl = `http://${urlHost(options.host)}:${(awsServer.address() as AddressInfo).port}`;

  const loadOptions: LoadOptions = {
    parameterOverrides: options.parameterOverrides,
    awsEndpoint: awsUrl,
    ...(options.stage === undefined ? {} : { stage: options.stage }),
    ...(options.stackName === undefined ? {} : { stackName: options.stackName }),
  };
  const http = new HttpClient();
  let project: Project;
  let services: GatewayServices;
  try {
    project = await loadDefinition(file, loadOptions);
    services = buildServices(project, http, log, awsUrl);
    deployment = compileDeployment(project, services);
  } catch (error) {
    await Promise.all([drain(apiServer), drain(awsServer), http.close()]);
    throw error;
  }
  ready = true;

  let watcher: FSWatcher | null = null;
  if (options.watch) {
    let timer: NodeJS.Timeout | null = null;
    watcher = watch(dirname(file), { recursive: false }, () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void reload(), 150);
    });
  }

  async function reload(): Promise<void> {
    try {
      const nextProject = await loadDefinition(file, loadOptions);
      const nextServices = buildServices(nextProject, http, log, awsUrl);
      let next: Deployment;
      try {
        next = compileDeployment(nextProject, nextServices);
      } catch (error) {
        await closeServices(nextServices);
        throw error;
      }
      await closeServices(services);
      project = nextProject;
      services = nextServices;
      deployment = next;
      log.info(`reloaded ${file}: ${summarize(deployment)}`);
    } catch (error) {
      log.error(`reload of ${file} failed, still serving the previous definition:\n${(error as Error).message}`);
    }
  }

  return {
    get project() {
      return project;
    },
    get deployment() {
      return deployment!;
    },
    apiUrl,
    awsUrl,
    async close() {
      ready = false;
      watcher?.close();
      await Promise.all([drain(apiServer), drain(awsServer)]);
      await closeServices(services);
      await http.close();
    },
  };
}

function buildServices(project: Project, http: HttpClient, log: Logger, awsUrl: string): GatewayServices {
  return {
    http,
    vpcLinks: new VpcLinkRegistry(project.vpcLinks, http),
    log,
    region: project.region,
    accountId: project.accountId,
    lambda: new LambdaRuntime(project.functions, {
      awsEndpoint: awsUrl,
      region: project.region,
      accountId: project.accountId,
      logSink: (line) => log.info(line),
    }),
  };
}

async function closeServices(services: GatewayServices): Promise<void> {
  services.vpcLinks.close();
  await services.lambda?.close();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, lets in-flight requests finish, then closes idle keep-alive connections. */
function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), 10_000);
    timer.unref();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function summarize(deployment: Deployment): string {
  const routes = deployment.apis.reduce((n, api) => n + api.definition.routes.length, 0);
  return `${deployment.apis.length} API(s), ${routes} route(s)`;
}
