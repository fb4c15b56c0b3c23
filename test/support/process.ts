/** Test support for spawned gatehouse processes: free ports and waiting for the health URL. */
import { createServer } from 'node:net';
import { request } from 'undici';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(awsPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await request(`http://127.0.0.1:${awsPort}/_gatehouse/health`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gatehouse was not healthy on port ${awsPort} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface GatehouseProcess {
  apiUrl: string;
  awsUrl: string;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** `gatehouse serve <file> ...extraArgs` as a child process on free ports, resolved once healthy. */
export async function spawnGatehouse(file: string, extraArgs: string[] = []): Promise<GatehouseProcess> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const { freePorts } = await import('../conformance/gatehouse-process.js');
  const [port, awsPort] = (await freePorts(2)) as [number, number];
  const child = spawn(process.execPath, [cli, 'serve', file, '--port', String(port), '--aws-port', String(awsPort), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    // A child that exits early (a port taken meanwhile, a bad flag) fails at once, with its output.
    await Promise.race([waitForHealth(awsPort, 30_000), exited.then(() => Promise.reject(new Error(`gatehouse exited with ${child.exitCode}`)))]);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return { apiUrl: `http://127.0.0.1:${port}`, awsUrl: `http://127.0.0.1:${awsPort}`, output: () => output, stop };
}
