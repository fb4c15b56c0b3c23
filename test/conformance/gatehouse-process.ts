// Starts gatehouse for one case in its own process group, waits until healthy, and kills the whole group.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { StartFailure } from './errors.js';

export interface Command {
  cmd: string;
  args: string[];
}

/** Splits a command line on spaces, honouring '...' and "..." quoting. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let current: string | undefined;
  let lastEnd = -1;
  for (const m of line.matchAll(re)) {
    const part = m[1] ?? m[2] ?? m[3] ?? '';
    // Adjacent pieces (a"b c") form one word.
    if (current !== undefined && m.index === lastEnd) current += part;
    else {
      if (current !== undefined) words.push(current);
      current = part;
    }
    lastEnd = m.index + m[0].length;
  }
  if (current !== undefined) words.push(current);
  return words;
}

/**
 * The command that starts gatehouse: `node <root>/dist/gatehouse.mjs` (the bundle users run), or the prefix in the
 * GATEHOUSE_CMD environment variable (e.g. `GATEHOUSE_CMD="node /tmp/fake-gatehouse.mjs"`), which
 * lets the runner be checked against a stand-in. `serve <template> --port ...` is appended either way.
 */
export function gatehouseCommand(root: string): Command {
  const override = process.env['GATEHOUSE_CMD']?.trim();
  if (override) {
    const [cmd, ...args] = splitCommand(override);
    return { cmd: cmd!, args };
  }
  return { cmd: process.execPath, args: [join(root, 'dist', 'gatehouse.mjs')] };
}

/** Why gatehouse cannot be started at all, or undefined when its entry point is there. */
export function missingGatehouse(root: string): string | undefined {
  if (process.env['GATEHOUSE_CMD']?.trim()) return undefined;
  const main = join(root, 'dist', 'gatehouse.mjs');
  return existsSync(main) ? undefined : `gatehouse is not built: ${main} does not exist (run \`npm run build\` first)`;
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

/** Keeps the last `max` characters of a stream's text. */
class Tail {
  private text = '';
  constructor(private readonly max = 64 * 1024) {}
  push(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > this.max) this.text = this.text.slice(-this.max);
  }
  lines(count: number): string {
    return this.text.trimEnd().split('\n').slice(-count).join('\n');
  }
}

// Process groups still alive, killed if the runner itself exits first.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
      // Re-raise so the runner still ends the way the signal asked.
      process.kill(process.pid, sig);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The health status, or why there is none. Another case's gatehouse may hold the port when two
 * runs picked the same free port, so a 200 counts only when the reported pid is `expectedPid`.
 */
function healthStatus(port: number, timeoutMs: number, expectedPid: number | undefined): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/_gatehouse/health', method: 'GET', agent: false, timeout: timeoutMs });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const pid = /"pid":(\d+)/.exec(body)?.[1];
        if (res.statusCode === 200 && expectedPid !== undefined && pid !== undefined && Number(pid) !== expectedPid) {
          resolve(`answered by another process (pid ${pid})`);
          return;
        }
        resolve(res.statusCode ?? 0);
      });
      res.on('error', (err) => resolve(err.message));
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    req.end();
  });
}

export interface StartOptions {
  command: Command;
  cwd: string;
  template: string;
  port: number;
  awsPort: number;
  dataDir: string;
  args: string[];
}

export class GatehouseProcess {
  private readonly stdout = new Tail();
  private readonly stderr = new Tail();
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly commandLine: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      child.once('error', (err) => {
        this.exitInfo = `could not be started: ${err.message}`;
        resolve();
      });
    });
  }

  /** The pid health must report: gatehouse itself when started directly, unknown behind a GATEHOUSE_CMD wrapper. */
  private get expectedPid(): number | undefined {
    return process.env['GATEHOUSE_CMD']?.trim() ? undefined : this.child.pid;
  }

  static start(opts: StartOptions): GatehouseProcess {
    const args = [
      ...opts.command.args,
      'serve',
      opts.template,
      '--port',
      String(opts.port),
      '--aws-port',
      String(opts.awsPort),
      '--data-dir',
      opts.dataDir,
      ...opts.args,
    ];
    const env = { ...process.env };
    // Set by `node --test` in its children; gatehouse is not a test file.
    delete env['NODE_TEST_CONTEXT'];
    // detached: a new process group, so Lambda workers and other children die with it.
    const child = spawn(opts.command.cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    const proc = new GatehouseProcess(child, [opts.command.cmd, ...args].join(' '));
    if (child.pid !== undefined) {
      installExitHook();
      liveGroups.add(child.pid);
    }
    return proc;
  }

  /** Why it stopped, or undefined while it runs. */
  get exit(): string | undefined {
    return this.exitInfo;
  }

  /** Waits up to `ms` for an exit that may already be under way (e.g. after a reset connection). */
  async settle(ms: number): Promise<void> {
    await Promise.race([this.exited, delay(ms)]);
  }

  /** The last lines of stderr and stdout, for failure reports. */
  log(lines = 25): string {
    const parts: string[] = [];
    const err = this.stderr.lines(lines);
    const out = this.stdout.lines(lines);
    if (err) parts.push(`--- gatehouse stderr (last lines) ---\n${err}`);
    if (out) parts.push(`--- gatehouse stdout (last lines) ---\n${out}`);
    return parts.length ? parts.join('\n') : '(gatehouse printed nothing)';
  }

  /** Resolves once GET /_gatehouse/health on the AWS port answers 200. */
  async waitReady(awsPort: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: number | string = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        const log = this.log();
        throw new StartFailure(`gatehouse ${this.exitInfo} before it was healthy\n${log}`, log, /EADDRINUSE/.test(log));
      }
      last = await healthStatus(awsPort, Math.max(100, Math.min(1000, deadline - Date.now())), this.expectedPid);
      if (last === 200) return;
      await Promise.race([delay(100), this.exited]);
    }
    const log = this.log();
    throw new StartFailure(
      `gatehouse was not healthy within ${Math.round(timeoutMs / 1000)} s (GET http://127.0.0.1:${awsPort}/_gatehouse/health: last answer ${last})\ncommand: ${this.commandLine}\n${log}`,
      log,
    );
  }

  /** SIGTERM to the group, SIGKILL after a grace period; always ends with SIGKILL for stragglers. */
  async stop(graceMs = 2000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (!this.exitInfo) {
      killGroup(pid, 'SIGTERM');
      await Promise.race([this.exited, delay(graceMs)]);
    }
    killGroup(pid, 'SIGKILL');
    await Promise.race([this.exited, delay(graceMs)]);
    liveGroups.delete(pid);
  }
}
