/** `--db-port 0`: a run of free ports for the template's database servers (numbered from the first). */
import { createServer } from 'node:net';

const RUN = 8;

export async function freePortRun(host: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = Array.from({ length: RUN }, (_, i) => base + i);
    if ((await Promise.all(ports.map((port) => isFree(port, host)))).every(Boolean)) return base;
  }
  throw new Error(`no run of ${RUN} free ports found on ${host} for the databases: pass --db-port`);
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
