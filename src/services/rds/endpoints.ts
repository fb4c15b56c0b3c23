/** Where the template's database servers listen, decided before the template loads (`Endpoint.Address` / `Endpoint.Port`). */
import type { DatabaseEndpoints } from '../../definitions/cloudformation/template.js';
import { freePortRun } from './ports.js';

/** LocalStack's range for external service ports starts here too, away from a local PostgreSQL's 5432. */
export const DEFAULT_DATABASE_PORT = 4510;

export async function databaseEndpoints(options: { host: string; databasePort?: number; postgresUrl?: string }): Promise<DatabaseEndpoints> {
  if (options.postgresUrl !== undefined) {
    const url = new URL(options.postgresUrl);
    const port = Number(url.port || 5432);
    return { address: url.hostname, port: () => port };
  }
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const base = options.databasePort === 0 ? await freePortRun(host) : (options.databasePort ?? DEFAULT_DATABASE_PORT);
  return { address: host, port: (index) => base + index };
}
