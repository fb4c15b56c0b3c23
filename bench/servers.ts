// Starts and stops the targets under test, each in its own child process on 127.0.0.1: reference servers and gatehouse.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimpleServerConfig } from './simple-server.js';

/** A target that could not be started (or died while starting); the scenario fails. */
export class StartFailure extends Error {
  override name = 'StartFailure';
}

/** An optional target (an anchor) that cannot run on this machine: noted, the scenario goes on. */
export class TargetSkipped extends Error {
  override name = 'TargetSkipped';
}

export interface Running {
  label: string;
  pid: number;
  /** 'http://127.0.0.1:port' */
  origin: string;
  /** Gatehouse's AWS endpoint (--aws-port), 'http://127.0.0.1:port'. */
  awsOrigin?: string;
  /** Spawn to ready (listening, or healthy for gatehouse), in ms. */
  startMs: number;
  /** Last lines the process wrote to stdout/stderr. */
  output(): string;
  /** Lines written so far (to spot logging under load). */
  outputLines(): number;
  /** False once the process has exited. */
  alive(): boolean;
  stop(): Promise<void>;
}

// Every child still running (and whether it leads its own process group), killed if the bench ends first.
const live = new Map<ChildProcess, boolean>();
let hooked = false;

function killChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

function track(child: ChildProcess, group: boolean): void {
  live.set(child, group);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const [c, g] of live) killChild(c, 'SIGKILL', g);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

/** Keeps the tail of a child's output. */
class Tail {
  private text = '';
  lines = 0;
  push(chunk: Buffer): void {
    const s = chunk.toString('utf8');
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) this.lines++;
    this.text = (this.text + s).slice(-16 * 1024);
  }
  last(count: number): string {
    return this.text.trimEnd().split('\n').slice(-count).join('\n');
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function running(label: string, child: ChildProcess, origin: string, startMs: number, tail: Tail, group: boolean): Running {
  return {
    label,
    pid: child.pid!,
    origin,
    startMs,
    output: () => tail.last(20),
    outputLines: () => tail.lines,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      killChild(child, 'SIGTERM', group);
      if (!(await waitExit(child, 5000))) {
        killChild(child, 'SIGKILL', group);
        await waitExit(child, 2000);
      }
    },
  };
}

const SIMPLE_SERVER = join(fileURLToPath(new URL('.', import.meta.url)), 'simple-server.js');

/** Starts a reference server (see simple-server.ts) in a child process; resolves once it listens. */
export async function startSimpleServer(label: string, config: SimpleServerConfig): Promise<Running> {
  const started = performance.now();
  const child = fork(SIMPLE_SERVER, [JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child, false);
  const tail = new Tail();
  child.stdout!.on('data', (c: Buffer) => tail.push(c));
  child.stderr!.on('data', (c: Buffer) => tail.push(c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StartFailure(`${label} did not listen within 10 s\n${tail.last(20)}`)), 10_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { port: number }).port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new StartFailure(`${label} exited while starting (${signal ?? code})\n${tail.last(20)}`));
    });
  });
  return running(label, child, `http://127.0.0.1:${port}`, performance.now() - started, tail, false);
}

export async function freePorts(count: number): Promise<number[]> {
  // All listeners stay open until every port is known, so the ports are distinct.
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET on a fresh connection (no pooling, nothing left open). Rejects on a network error or timeout. */
export function httpGet(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', agent: false, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Spawns a server in its own process group (killed if the bench ends first), keeping its output's tail. */
function spawnGroup(command: string, args: string[], options: { cwd?: string | undefined; env?: NodeJS.ProcessEnv | undefined } = {}): { child: ChildProcess; tail: Tail; exited(): string | null } {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: options.env });
  track(child, true);
  const tail = new Tail();
  child.stdout!.on('data', (c: Buffer) => tail.push(c));
  child.stderr!.on('data', (c: Buffer) => tail.push(c));
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = String(signal ?? code)));
  child.once('error', (error) => (exited = error.message));
  return { child, tail, exited: () => exited };
}

export interface GatehouseLaunch {
  /** Project root: gatehouse runs as `node <root>/dist/gatehouse.mjs`. */
  root: string;
  definition: string;
  dataDir: string;
  startTimeoutMs: number;
  /** More `gatehouse serve` options. */
  extraArgs?: string[];
  /** Options for node itself (e.g. --cpu-prof, set by BENCH_CPU_PROF). */
  nodeArgs?: string[];
}

export function gatehouseMain(root: string): string {
  return join(root, 'dist', 'gatehouse.mjs');
}

/**
 * Spawns `gatehouse serve` in its own process group and resolves once
 * GET /_gatehouse/health on the AWS port answers 200; startMs is spawn to healthy.
 */
export async function startGatehouse(launch: GatehouseLaunch, label = 'gatehouse'): Promise<Running> {
  const main = gatehouseMain(launch.root);
  if (!existsSync(main)) throw new StartFailure(`gatehouse is not built: ${main} does not exist`);
  const [port, awsPort] = (await freePorts(2)) as [number, number];
  const server = await startCommand({
    label,
    args: [...(launch.nodeArgs ?? []), main, 'serve', launch.definition, '--port', String(port), '--aws-port', String(awsPort), '--data-dir', launch.dataDir, '--log-level', 'warn', ...(launch.extraArgs ?? [])],
    origin: `http://127.0.0.1:${port}`,
    readyUrl: `http://127.0.0.1:${awsPort}/_gatehouse/health`,
    ready: (status) => status === 200,
    startTimeoutMs: launch.startTimeoutMs,
  });
  return { ...server, awsOrigin: `http://127.0.0.1:${awsPort}` };
}

export interface CommandLaunch {
  label: string;
  /** Arguments of `node` (the script first). */
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the started server answers the load. */
  origin: string;
  /** Polled until `ready` accepts its status. */
  readyUrl: string;
  ready(status: number): boolean;
  startTimeoutMs: number;
}

/** Spawns a Node.js server in its own process group; resolves once its ready URL answers as expected (startMs: spawn to ready). */
export async function startCommand(launch: CommandLaunch): Promise<Running> {
  const { label } = launch;
  const started = performance.now();
  const { child, tail, exited } = spawnGroup(process.execPath, launch.args, { cwd: launch.cwd, env: launch.env });

  const deadline = started + launch.startTimeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (exited() !== null) {
      throw new StartFailure(`${label} exited while starting (${exited()})\n${tail.last(20)}`);
    }
    if (performance.now() > deadline) {
      const r = running(label, child, '', 0, tail, true);
      await r.stop();
      throw new StartFailure(`${label} was not ready within ${launch.startTimeoutMs} ms (last: ${last})\n${tail.last(20)}`);
    }
    try {
      const answer = await httpGet(launch.readyUrl, 1000);
      if (launch.ready(answer.status)) break;
      last = `HTTP ${answer.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return running(label, child, launch.origin, performance.now() - started, tail, true);
}

/**
 * Starts `moto_server` (the MOTO_SERVER command, default from PATH) on a free port in its own
 * process group; resolves once it answers HTTP. Its pid is the Python process (the pyenv shims exec).
 */
export async function startMoto(startTimeoutMs: number): Promise<Running> {
  const [port] = (await freePorts(1)) as [number];
  const started = performance.now();
  const { child, tail, exited } = spawnGroup(process.env['MOTO_SERVER'] ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)]);
  const origin = `http://127.0.0.1:${port}`;
  const moto = running('moto_server', child, origin, 0, tail, true);
  for (;;) {
    if (exited() !== null) throw new StartFailure(`moto_server exited while starting (${exited()})\n${tail.last(20)}`);
    if (performance.now() - started > startTimeoutMs) {
      await moto.stop();
      throw new StartFailure(`moto_server did not answer within ${startTimeoutMs} ms\n${tail.last(20)}`);
    }
    try {
      await httpGet(`${origin}/moto-api/`, 1000);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const tailLines = tail.lines;
  // moto logs every request (werkzeug): only lines beyond its start-up banner would be news, and those are expected.
  return { ...moto, startMs: performance.now() - started, awsOrigin: origin, outputLines: () => tailLines };
}

/** The OpenAPI definition the bench serves: a tiny MOCK route and an HTTP_PROXY route to `upstream`. */
export function writeDefinition(file: string, upstream: string): void {
  const definition = {
    openapi: '3.0.1',
    info: { title: 'gatehouse-bench', version: '1.0' },
    paths: {
      '/pets/{petId}': {
        get: {
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'one pet' } },
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: {
              default: {
                statusCode: '200',
                responseTemplates: { 'application/json': `{"id": $input.params('petId'), "name": "pet-$input.params('petId')"}` },
              },
            },
          },
        },
      },
      '/proxy/{proxy+}': {
        'x-amazon-apigateway-any-method': {
          parameters: [{ name: 'proxy', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {},
          'x-amazon-apigateway-integration': {
            type: 'http_proxy',
            httpMethod: 'ANY',
            uri: `${upstream}/{proxy}`,
            passthroughBehavior: 'when_no_match',
            requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
          },
        },
      },
    },
  };
  writeFileSync(file, JSON.stringify(definition, null, 2) + '\n');
}
