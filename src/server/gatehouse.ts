/**
 * One running gatehouse: loads the definition, builds what serves it (the compiled deployment,
 * the Lambda runtime, the embedded services), starts the API server and the AWS endpoint,
 * swaps everything on change (`--watch`) and drains on close.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { watch, mkdirSync, type FSWatcher } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { loadDefinition, type LoadOptions } from '../definitions/index.js';
import type { FunctionDefinition, Project } from '../definitions/model.js';
import { compileDeployment, type Deployment } from '../apigw/deployment.js';
import type { GatewayServices } from '../apigw/services.js';
import { VpcLinkRegistry } from '../apigw/integrations/vpc-link.js';
import { HttpClient } from '../http/client.js';
import type { CredentialProvider } from '../http/sigv4-signer.js';
import { LambdaRuntime, lambdaTargetsAws, type LambdaTargets, type NodeIsolation } from '../lambda/index.js';
import { buildFunctions, watchSources as watchFunctionSources } from '../lambda/build.js';
import { createProtectServices, defaultJwksUri } from '../apigw/auth/services.js';
import { embeddedCognitoJwksUri } from '../apigw/auth/embedded-jwks.js';
import { loadIdentities, type IamIdentities } from '../iam/identities.js';
import { readIamConfig } from '../iam/config.js';
import { RedisProtectState } from '../apigw/auth/redis-state.js';
import { RedisConnection } from '../storage/redis.js';
import { StateResponseCache } from '../apigw/cache/store.js';
import type { Logger } from '../core/log.js';
import type { EmbeddedService, ServiceContext } from '../services/service.js';
import { EMBEDDED_SERVICES } from '../services/index.js';
import { lambdaApiService } from '../services/lambda/index.js';
import { apiGatewayService } from '../services/apigateway/index.js';
import { awsClient } from '../services/aws-client.js';
import { prepareSecrets } from '../services/secretsmanager/index.js';
import { databaseEndpoints } from '../services/rds/endpoints.js';
import { createApiHandler } from './api-handler.js';
import { createAwsEndpointHandler } from './aws-endpoint.js';
import { acceptedKeys, type SecretLookup } from './signature-check.js';
import { ServiceTargets, TargetError, targetsAws } from '../http/service-targets.js';
import { credentialsProblem, standardCredentials } from '../http/aws-credentials.js';
import { createDualProtocolServer } from './dual-protocol.js';

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
  /** Throttles, quotas and caches shared with other gatehouse processes through this Redis. */
  redisUrl?: string;
  /** `--enforce-iam`: identity policies decide AWS_IAM methods and signed calls to the embedded services. */
  enforceIam?: boolean;
  /** `--iam-config`: credentials mapped to the template's IAM users and roles. */
  iamConfig?: string;
  log: Logger;
  /** First port of the template's database servers (default 4510; 0 picks free ports). */
  databasePort?: number;
  /** An existing PostgreSQL server for the template's databases instead of embedded ones. */
  postgresUrl?: string;
  /** `--db-engine`: the embedded databases' engine (absent: the installed PostgreSQL, else PGlite). */
  databaseEngine?: 'postgres' | 'pglite';
  /** Where Node.js functions run: worker threads (default) or child processes. */
  lambdaIsolation?: NodeIsolation;
  /** Functions invoked on real Lambda or another Lambda endpoint (`--target lambda=...`). */
  lambdaTargets?: LambdaTargets;
  /** `--verify-signatures`: the AWS endpoint checks SigV4 signatures against these keys (plus the local ones). */
  verifySignatures?: { accessKeys: Record<string, string> };
  /** `--target`: services sent to real AWS or another engine (parseTargets); those are not embedded. */
  targets?: Map<string, string>;
}

export interface Gatehouse {
  readonly project: Project;
  readonly deployment: Deployment;
  apiUrl: string;
  awsUrl: string;
  close(): Promise<void>;
}

/** Everything built from one version of the definition; replaced as a whole on reload. */
interface Serving {
  project: Project;
  deployment: Deployment;
  gateway: GatewayServices;
  lambda: LambdaRuntime;
  embedded: EmbeddedService[];
  iam: IamIdentities;
}

export async function startGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { log } = options;
  const file = resolvePath(options.file);
  mkdirSync(options.dataDir, { recursive: true });

  // Listen first so the AWS endpoint URL (queue URLs, AWS_ENDPOINT_URL) carries the real port,
  // even with --aws-port 0; health answers 503 until everything is built.
  let serving: Serving | null = null;
  const localKeys = options.verifySignatures ? acceptedKeys(options.verifySignatures.accessKeys) : undefined;
  // The served definition's keys (AWS::IAM::AccessKey, --iam-config) are accepted too.
  const lookupSecret = localKeys && ((id: string) => localKeys(id) ?? serving?.iam.get(id)?.secretAccessKey);
  const apiServer = createServer({ keepAliveTimeout: 65_000 }, createApiHandler({ deployment: () => serving?.deployment, log }));
  const awsServer = createDualProtocolServer(
    createAwsEndpointHandler({ ready: () => serving !== null, services: () => serving?.embedded ?? [], log, ...(lookupSecret ? { lookupSecret } : {}) }),
    { keepAliveTimeout: 65_000 },
  );
  await Promise.all([listen(apiServer, options.port, options.host), listen(awsServer.net, options.awsPort, options.host)]);
  const apiUrl = `http://${urlHost(options.host)}:${(apiServer.address() as AddressInfo).port}`;
  const awsUrl = `http://${urlHost(options.host)}:${(awsServer.net.address() as AddressInfo).port}`;

  const loadOptions: LoadOptions = {
    parameterOverrides: options.parameterOverrides,
    awsEndpoint: awsUrl,
    databases: await databaseEndpoints(options),
    ...(options.stage === undefined ? {} : { stage: options.stage }),
    ...(options.stackName === undefined ? {} : { stackName: options.stackName }),
  };
  const http = new HttpClient();
  const redis = options.redisUrl === undefined ? null : await RedisConnection.open({ url: options.redisUrl, log });
  if (redis !== null) log.info(`throttles, quotas and caches shared through Redis ${redis.displayUrl}`);
  const iamOptions = { enforce: options.enforceIam ?? false, configFile: options.iamConfig };
  let targets: ServiceTargets;
  // One credential chain for every call signed for real AWS (services and functions), loaded only if one is targeted.
  const awsCredentials = targetsAws(options.targets) || lambdaTargetsAws(options.lambdaTargets) ? standardCredentials() : undefined;
  try {
    targets = new ServiceTargets(options.targets ?? new Map(), awsUrl, awsCredentials);
    const problem = awsCredentials === undefined ? undefined : await credentialsProblem(awsCredentials);
    if (problem !== undefined) {
      throw new TargetError(
        `--target ...=aws needs AWS credentials from the standard chain (environment, AWS_PROFILE of ~/.aws/config and ~/.aws/credentials, SSO, credential_process, web identity, container or instance role): ${problem}`,
      );
    }
  } catch (error) {
    await Promise.all([drain(apiServer), awsServer.drain(), http.close()]);
    throw error;
  }
  const lambdaOptions = { isolation: options.lambdaIsolation, targets: options.lambdaTargets, credentials: awsCredentials };
  const shared = {
    http,
    log,
    awsUrl,
    dataDir: options.dataDir,
    iam: iamOptions,
    redis,
    lambda: lambdaOptions,
    databaseHost: options.host,
    lookupSecret,
    targets,
    ...(options.postgresUrl !== undefined && { postgresUrl: options.postgresUrl }),
    ...(options.databaseEngine !== undefined && { databaseEngine: options.databaseEngine }),
  };
  /** The functions as the definition declares them (before esbuild points them at their bundles). */
  let sourceFunctions: FunctionDefinition[] = [];
  const build = async (): Promise<Serving> => {
    const project = await loadDefinition(file, loadOptions);
    sourceFunctions = project.functions;
    project.functions = await buildFunctions(project.functions, join(options.dataDir, 'build'));
    return buildServing(project, shared);
  };
  try {
    serving = await build();
  } catch (error) {
    await Promise.all([drain(apiServer), awsServer.drain(), http.close(), redis?.close()]);
    throw error;
  }

  let watcher: FSWatcher | null = null;
  // Sources of functions built with esbuild: a change rebuilds them through a reload.
  let stopWatchingSources = (): void => {};
  if (options.watch) {
    let timer: NodeJS.Timeout | null = null;
    let reloading = Promise.resolve();
    const changed = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        reloading = reloading.then(reload).then(watchSources);
      }, 150);
    };
    const watchSources = (): void => {
      stopWatchingSources();
      stopWatchingSources = watchFunctionSources(sourceFunctions, options.dataDir, changed);
    };
    watcher = watch(dirname(file), changed);
    watchSources();
  }

  async function reload(): Promise<void> {
    const previous = serving!;
    // Embedded stores hold their files exclusively: the old services close before the new ones open.
    await closeServing(previous);
    try {
      serving = await build();
      log.info(`reloaded ${file}: ${serving.deployment.apis.length} API(s)`);
    } catch (error) {
      log.error(`reload of ${file} failed, still serving the previous definition:\n${(error as Error).message}`);
      serving = await buildServing(previous.project, shared);
    }
  }

  return {
    get project() {
      return serving!.project;
    },
    get deployment() {
      return serving!.deployment;
    },
    apiUrl,
    awsUrl,
    async close() {
      watcher?.close();
      stopWatchingSources();
      await Promise.all([drain(apiServer), awsServer.drain()]);
      if (serving !== null) await closeServing(serving);
      serving = null;
      await Promise.all([http.close(), redis?.close()]);
    },
  };
}

async function buildServing(
  project: Project,
  shared: {
    http: HttpClient;
    log: Logger;
    awsUrl: string;
    dataDir: string;
    iam: { enforce: boolean; configFile: string | undefined };
    databaseHost: string;
    postgresUrl?: string;
    databaseEngine?: 'postgres' | 'pglite';
    lambda: { isolation: NodeIsolation | undefined; targets: LambdaTargets | undefined; credentials: CredentialProvider | undefined };
    redis: RedisConnection | null;
    lookupSecret: SecretLookup | undefined;
    targets: ServiceTargets;
  },
): Promise<Serving> {
  const { http, log, awsUrl } = shared;
  const iam = loadIdentities(project, shared.iam.configFile === undefined ? null : readIamConfig(shared.iam.configFile), shared.iam.enforce);
  for (const warning of iam.warnings) log.warn(`iam: ${warning}`);
  // Dynamic references need the template's secrets before functions get their environment.
  prepareSecrets(project, join(shared.dataDir, 'secretsmanager'));
  const lambda = new LambdaRuntime(project.functions, {
    awsEndpoint: awsUrl,
    region: project.region,
    accountId: project.accountId,
    logSink: (line) => log.info(line),
    ...(shared.lambda.isolation === undefined ? {} : { isolation: shared.lambda.isolation }),
    ...(shared.lambda.targets === undefined ? {} : { targets: shared.lambda.targets }),
    ...(shared.lambda.credentials === undefined ? {} : { awsCredentials: shared.lambda.credentials }),
  });
  const gateway: GatewayServices = {
    http,
    vpcLinks: new VpcLinkRegistry(project.vpcLinks, http),
    log,
    region: project.region,
    accountId: project.accountId,
    lambda,
    awsEndpoint: awsUrl,
    targets: shared.targets,
    auth: createProtectServices(project, {
      log,
      iam,
      jwksUri: embeddedCognitoJwksUri(awsUrl, defaultJwksUri()),
      ...(shared.redis !== null && sharedState(shared.redis)),
    }),
  };
  const embedded: EmbeddedService[] = [lambdaApiService(lambda, project.functions), apiGatewayService(gateway.auth!, (apiId, stage) => project.apis.some((a) => a.id === apiId && a.stages.some((s) => s.name === stage)))];
  try {
    const deployment = compileDeployment(project, gateway);
    const context: Omit<ServiceContext, 'dataDir'> = {
      region: project.region,
      accountId: project.accountId,
      endpoint: awsUrl,
      log,
      project,
      lambda,
      callAws: awsClient(shared.targets, http, project.region),
      iam,
      databaseHost: shared.databaseHost,
      ...(shared.postgresUrl !== undefined && { postgresUrl: shared.postgresUrl }),
      ...(shared.databaseEngine !== undefined && { databaseEngine: shared.databaseEngine }),
      ...(shared.lookupSecret ? { lookupSecret: shared.lookupSecret } : {}),
    };
    for (const { name, create } of EMBEDDED_SERVICES) {
      if (shared.targets.replaces(name)) continue;
      embedded.push(await create({ ...context, dataDir: join(shared.dataDir, name), services: embedded }));
    }
    return { project, deployment, gateway, lambda, embedded, iam };
  } catch (error) {
    await closeServing({ gateway, lambda, embedded });
    throw error;
  }
}

/** Throttles, quotas, the authorizer cache and every stage cache in one Redis. */
function sharedState(redis: RedisConnection): { state: RedisProtectState; responseCache: () => StateResponseCache } {
  const state = new RedisProtectState(redis);
  const responseCache = new StateResponseCache(state);
  return { state, responseCache: () => responseCache };
}

async function closeServing(serving: Pick<Serving, 'gateway' | 'lambda' | 'embedded'>): Promise<void> {
  serving.gateway.vpcLinks.close();
  await Promise.all([serving.lambda.close(), ...serving.embedded.map((service) => service.close()), serving.gateway.auth?.close()]);
}

function listen(server: Server | NetServer, port: number, host: string): Promise<void> {
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
