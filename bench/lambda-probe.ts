// Memory per warm execution environment: gatehouse's memory (process tree) with one warm environment,
// then with N, each held busy by a request so that N environments exist at once.
import { treeRssMiB } from './proc.js';
import { httpGet, type Running } from './servers.js';

/** The trivial handler of the lambda scenario; `?hold=<ms>` keeps its environment busy (for this probe only). */
export const HELLO_HANDLER = `const HELLO = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"hello":"world"}' };
export const handler = async (event) => {
  const hold = event.queryStringParameters?.hold;
  return hold === undefined ? HELLO : new Promise((resolve) => setTimeout(resolve, Number(hold), HELLO));
};
`;

/** Environments the probe asks for: gatehouse's default concurrency cap per function. */
const ENVIRONMENTS = 10;
const HOLD_MS = 500;

/** One line for the report, or null when /proc cannot be read. */
export async function memoryPerEnvironment(server: Running, path: string): Promise<string | null> {
  const one = treeRssMiB(server.pid);
  if (one === null) return null;
  await Promise.all(Array.from({ length: ENVIRONMENTS }, () => httpGet(`${server.origin}${path}?hold=${HOLD_MS}`, 30_000)));
  const many = treeRssMiB(server.pid);
  if (many === null) return null;
  const each = (many - one) / (ENVIRONMENTS - 1);
  return `memory per warm environment: ${each.toFixed(1)} MiB (gatehouse process tree ${one.toFixed(0)} MiB with 1 environment, ${many.toFixed(0)} MiB with ${ENVIRONMENTS})`;
}
