/** Test support: a moto_server (AWS service mock, installed on the dev machines) on a free port, or null when it is not installed. */
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './process.js';

export interface Moto {
  url: string;
  stop(): Promise<void>;
}

/** `moto_server` from pip, or the module itself (Debian's python3-moto ships no script). */
const COMMANDS: [string, string[]][] = [
  [process.env['MOTO_SERVER'] ?? 'moto_server', []],
  ['python3', ['-m', 'moto.server']],
];
const found = COMMANDS.find(([command, args]) => spawnSync(command, [...args, '--help'], { stdio: 'ignore' }).status === 0);

export function motoInstalled(): boolean {
  return found !== undefined;
}

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const port = await freePort();
  if (found === undefined) throw new Error('moto_server is not installed');
  const [command, args] = found;
  const child = spawn(command, [...args, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await fetch(`${url}/moto-api/`)).arrayBuffer();
      return { url, stop };
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`moto_server did not start on ${url}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
