#!/usr/bin/env node
/** The `gatehouse` command: argument parsing only; the work happens in server/ and definitions/. */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadDefinition, DefinitionError } from '../definitions/index.js';
import { compileDeployment, CompileError } from '../apigw/deployment.js';
import { startGatehouse } from '../server/gatehouse.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { HttpClient } from '../http/client.js';
import { VpcLinkRegistry } from '../apigw/integrations/vpc-link.js';
import { routeTable } from './route-table.js';
import { redisUrlProblem } from '../storage/redis.js';
import { parseTargets, TargetError } from '../http/service-targets.js';
import { ConfigFileError, readServeConfig, type ServeConfig } from './config-file.js';
import { LambdaRuntime, parseLambdaTargets } from '../lambda/index.js';
import { buildFunctions } from '../lambda/build.js';
import type { LoadOptions } from '../definitions/index.js';

const USAGE = `Usage:
  gatehouse serve <file> [--port 3000] [--aws-port 4566] [--host 127.0.0.1] [--stage dev]
                         [--data-dir .gatehouse] [--watch] [--stack-name NAME]
                         [--parameter-overrides Key=Value ...] [--log-level info]
                         [--enforce-iam] [--iam-config iam.yaml]
                         [--db-port 4510] [--postgres-url postgres://user:pw@host:5432/postgres]
                         [--db-engine auto|postgres|pglite]
                         [--lambda-isolation thread|process] [--redis redis://host:6379]
                         [--verify-signatures [--access-key AKID=SECRET ...]]
                         [--target SERVICE=embedded|aws|URL ...] [--target lambda[:<function>]=aws|URL ...]
                         [--config gatehouse.yaml]
  gatehouse routes <file> [--stage dev] [--parameter-overrides Key=Value ...]
  gatehouse validate <file> [--stage dev] [--parameter-overrides Key=Value ...]
  gatehouse invoke <file> <function name or logical id> [--event event.json|-] [--parameter-overrides Key=Value ...]
  gatehouse --version

<file>: an OpenAPI 3.0 / Swagger 2.0 definition (JSON or YAML) with x-amazon-apigateway-*
extensions, or a SAM / CloudFormation template.
--db-engine: the embedded databases' engine; auto (default) runs the installed PostgreSQL, else PGlite
  (PostgreSQL in WebAssembly: one session at a time, ~0.7 GB per database server).
--redis: share throttles, quotas and caches with other gatehouse processes through Redis
(--redis-url is an alias).`;

const OPTIONS = {
  port: { type: 'string', default: '3000' },
  'aws-port': { type: 'string', default: '4566' },
  host: { type: 'string', default: '127.0.0.1' },
  stage: { type: 'string' },
  'data-dir': { type: 'string', default: '.gatehouse' },
  watch: { type: 'boolean', default: false },
  'stack-name': { type: 'string' },
  'parameter-overrides': { type: 'string', multiple: true },
  'log-level': { type: 'string', default: 'info' },
  'db-port': { type: 'string', default: '4510' },
  'postgres-url': { type: 'string' },
  'db-engine': { type: 'string', default: 'auto' },
  'lambda-isolation': { type: 'string', default: 'thread' },
  target: { type: 'string', multiple: true },
  redis: { type: 'string' },
  'redis-url': { type: 'string' },
  'verify-signatures': { type: 'boolean', default: false },
  'access-key': { type: 'string', multiple: true },
  config: { type: 'string' },
  event: { type: 'string' },
  'enforce-iam': { type: 'boolean', default: false },
  'iam-config': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`gatehouse: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    const pkg = JSON.parse(readFileSync(packageJsonPath(), 'utf8')) as { version: string };
    process.stdout.write(`gatehouse ${pkg.version}\n`);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return values.help || command === 'help' ? 0 : 2;
  }
  if (file === undefined || extra.length > (command === 'invoke' ? 1 : 0) || (command === 'invoke' && extra.length === 0)) {
    process.stderr.write(`gatehouse ${command}: expected exactly one definition file\n\n${USAGE}\n`);
    return 2;
  }
  const parameterOverrides = parsePairs(values['parameter-overrides'] ?? [], '--parameter-overrides', 'Key=Value');
  if (parameterOverrides === null) return 2;
  const level = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
    process.stderr.write(`gatehouse: --log-level must be debug, info, warn, error or silent\n`);
    return 2;
  }
  const log = createLogger(level);
  const loadOptions = { parameterOverrides, ...(values.stage === undefined ? {} : { stage: values.stage }) };

  try {
    switch (command) {
      case 'serve':
        return await serve(file, values, parameterOverrides, log);
      case 'routes': {
        const project = await loadDefinition(resolve(file), loadOptions);
        process.stdout.write(routeTable(project) + '\n');
        return 0;
      }
      case 'invoke':
        return await invoke(file, extra[0]!, values.event, loadOptions, resolve(values['data-dir'], 'build'));
      case 'validate': {
        const project = await loadDefinition(resolve(file), loadOptions);
        // esbuild functions are built as serve would build them, so their build errors show here too.
        const buildDir = mkdtempSync(join(tmpdir(), 'gatehouse-validate-'));
        try {
          await buildFunctions(project.functions, buildDir);
        } finally {
          rmSync(buildDir, { recursive: true, force: true });
        }
        const http = new HttpClient();
        const lambda = new LambdaRuntime(project.functions, { awsEndpoint: 'http://127.0.0.1:4566', region: project.region, accountId: project.accountId });
        try {
          compileDeployment(project, {
            http,
            vpcLinks: new VpcLinkRegistry([], http),
            log: createLogger('error'),
            region: project.region,
            accountId: project.accountId,
            lambda,
            awsEndpoint: 'http://127.0.0.1:4566',
          });
        } finally {
          await lambda.close();
        }
        const routes = project.apis.reduce((n, api) => n + api.routes.length, 0);
        process.stdout.write(`${file}: valid (${project.apis.length} API(s), ${routes} route(s), ${project.functions.length} function(s))\n`);
        return 0;
      }
      default:
        process.stderr.write(`gatehouse: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof TargetError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DefinitionError || error instanceof CompileError) {
      process.stderr.write(`gatehouse: ${file} is not a valid definition:\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function serve(
  file: string,
  values: {
    port: string;
    'aws-port': string;
    host: string;
    stage?: string | undefined;
    'data-dir': string;
    watch: boolean;
    'stack-name'?: string | undefined;
    'enforce-iam': boolean;
    'iam-config'?: string | undefined;
    'db-port': string;
    'postgres-url'?: string | undefined;
    'db-engine': string;
    'lambda-isolation': string;
    target?: string[] | undefined;
    redis?: string | undefined;
    'redis-url'?: string | undefined;
    'verify-signatures': boolean;
    'access-key'?: string[] | undefined;
    config?: string | undefined;
  },
  parameterOverrides: Record<string, string>,
  log: ReturnType<typeof createLogger>,
): Promise<number> {
  const port = parsePort(values.port, '--port');
  const awsPort = parsePort(values['aws-port'], '--aws-port');
  const databasePort = parsePort(values['db-port'], '--db-port');
  if (port === null || awsPort === null || databasePort === null) return 2;
  const databaseEngine = values['db-engine'];
  if (databaseEngine !== 'auto' && databaseEngine !== 'postgres' && databaseEngine !== 'pglite') {
    process.stderr.write(`gatehouse: --db-engine must be auto, postgres or pglite\n`);
    return 2;
  }
  if (databaseEngine !== 'auto' && values['postgres-url'] !== undefined) {
    process.stderr.write(`gatehouse: --db-engine chooses the embedded database engine; --postgres-url uses an existing server instead: pass one of them\n`);
    return 2;
  }
  const isolation = values['lambda-isolation'];
  if (isolation !== 'thread' && isolation !== 'process') {
    process.stderr.write(`gatehouse: --lambda-isolation must be thread or process\n`);
    return 2;
  }
  // `--target lambda[:function]=...` sends functions elsewhere; other services' targets are SERVICE=...
  const isLambdaTarget = (value: string) => /^lambda[:=]/.test(value);
  let lambdaTargets;
  try {
    lambdaTargets = parseLambdaTargets((values.target ?? []).filter(isLambdaTarget));
  } catch (error) {
    process.stderr.write(`gatehouse: ${(error as Error).message}\n`);
    return 2;
  }
  // --redis is the documented name; --redis-url, the first one shipped, stays an alias.
  if (values.redis !== undefined && values['redis-url'] !== undefined && values.redis !== values['redis-url']) {
    process.stderr.write('gatehouse: --redis and --redis-url (its alias) name different URLs\n');
    return 2;
  }
  const redisUrl = values.redis ?? values['redis-url'];
  const redisProblem = redisUrl === undefined ? null : redisUrlProblem(redisUrl);
  if (redisProblem !== null) {
    process.stderr.write(`gatehouse: --redis ${redisProblem}\n`);
    return 2;
  }
  let config: ServeConfig = { targets: {}, verifySignatures: false, accessKeys: {} };
  if (values.config !== undefined) {
    try {
      config = readServeConfig(values.config);
    } catch (error) {
      if (!(error instanceof ConfigFileError)) throw error;
      process.stderr.write(`gatehouse: --config ${error.message}\n`);
      return 2;
    }
  }
  const flagKeys = parsePairs(values['access-key'] ?? [], '--access-key', 'AKID=SECRET');
  if (flagKeys === null) return 2;
  const accessKeys = { ...config.accessKeys, ...flagKeys };
  const verifySignatures = values['verify-signatures'] || config.verifySignatures;
  if (Object.keys(accessKeys).length > 0 && !verifySignatures) {
    process.stderr.write('gatehouse: --access-key only matters with --verify-signatures\n');
    return 2;
  }
  const targetItems = parsePairs((values.target ?? []).filter((value) => !isLambdaTarget(value)), '--target', 'SERVICE=embedded|aws|URL');
  if (targetItems === null) return 2;
  let targets;
  try {
    targets = parseTargets({ ...config.targets, ...targetItems });
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    process.stderr.write(`gatehouse: ${error.message}\n`);
    return 2;
  }
  const started = performance.now();
  const gatehouse = await startGatehouse({
    file,
    port,
    awsPort,
    host: values.host,
    dataDir: resolve(values['data-dir']),
    watch: values.watch,
    parameterOverrides,
    log,
    enforceIam: values['enforce-iam'],
    ...(values['iam-config'] === undefined ? {} : { iamConfig: values['iam-config'] }),
    databasePort,
    ...(values['postgres-url'] === undefined ? {} : { postgresUrl: values['postgres-url'] }),
    ...(databaseEngine === 'auto' ? {} : { databaseEngine }),
    lambdaIsolation: isolation,
    lambdaTargets,
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    ...(values['stack-name'] === undefined ? {} : { stackName: values['stack-name'] }),
    ...(redisUrl === undefined ? {} : { redisUrl }),
    ...(verifySignatures ? { verifySignatures: { accessKeys } } : {}),
    targets,
  });
  log.info(routeTable(gatehouse.project, gatehouse.apiUrl));
  log.info(`AWS endpoint ${gatehouse.awsUrl}  (health: ${gatehouse.awsUrl}/_gatehouse/health)`);
  log.info(`gatehouse ready in ${Math.round(performance.now() - started)} ms${values.watch ? ', watching for changes' : ''}`);

  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      log.info(`${signal}: draining in-flight requests`);
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await gatehouse.close();
  return 0;
}

/** One-off call of a template's function with an event file (or `{}`); prints the result payload. */
async function invoke(file: string, functionName: string, eventFile: string | undefined, loadOptions: LoadOptions, buildDir: string): Promise<number> {
  const project = await loadDefinition(resolve(file), loadOptions);
  project.functions = await buildFunctions(project.functions, buildDir);
  const runtime = new LambdaRuntime(project.functions, {
    awsEndpoint: 'http://127.0.0.1:4566',
    region: project.region,
    accountId: project.accountId,
    logSink: (line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'),
  });
  try {
    const fn = project.functions.find((f) => f.logicalId === functionName) ?? runtime.get(functionName);
    if (fn === undefined) {
      const names = project.functions.map((fn) => fn.logicalId === fn.name ? fn.name : `${fn.name} (${fn.logicalId})`).join(', ');
      process.stderr.write(`gatehouse invoke: no function ${JSON.stringify(functionName)} in ${file}; functions: ${names || 'none'}\n`);
      return 2;
    }
    const event = eventFile === undefined ? '{}' : readFileSync(eventFile === '-' ? 0 : eventFile);
    const result = await runtime.invoke(fn.name, event);
    process.stdout.write(result.payload.toString('utf8') + '\n');
    return result.functionError === undefined ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

function parsePort(text: string, flag: string): number | null {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`gatehouse: ${flag} must be a port number, got ${JSON.stringify(text)}\n`);
    return null;
  }
  return port;
}

/** `Key=Value` items (several per argument, space-separated) of a repeatable flag. */
function parsePairs(items: string[], flag: string, shape: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const item of items) {
    for (const pair of item.split(/\s+/).filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        process.stderr.write(`gatehouse: ${flag} takes ${shape}, got ${JSON.stringify(pair)}\n`);
        return null;
      }
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return out;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`gatehouse: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);

/** gatehouse's package.json: three levels above dist/src/cli/main.js, one above the bundle dist/gatehouse.mjs. */
function packageJsonPath(): URL {
  return new URL(import.meta.url.endsWith('/gatehouse.mjs') ? '../package.json' : '../../../package.json', import.meta.url);
}
