/**
 * RDS and Aurora (PostgreSQL): each database server of the template is an embedded PostgreSQL under
 * --data-dir (or a database on the server of --postgres-url), reachable over the PostgreSQL wire protocol
 * at its `Endpoint.Address` / `Endpoint.Port`, and the RDS Data API on the endpoint. The servers start in
 * the background: their ports accept connections at once and hold them until the server is ready, so
 * gatehouse serves without waiting for PostgreSQL.
 * AWS docs: Aurora User Guide "Using the RDS Data API"; CloudFormation AWS::RDS::DBCluster / DBInstance.
 */
import path from 'node:path';
import type { EmbeddedService, ServiceContext } from '../service.js';
import { bootstrap, createRoleAndDatabase } from './bootstrap.js';
import { DataApi, isDataApiRequest, type DataApiTarget } from './data-api/index.js';
import { ADMIN_ROLE, PostgresEngine, findPostgresBin } from './engine.js';
import { PgliteEngine } from './pglite/engine.js';
import { DatabaseProxy } from './proxy.js';
import { databaseServers, type DatabaseServer } from './servers.js';

export interface RdsService extends EmbeddedService {
  /** Resolves when every server is up and set up (rejects with the first failure). */
  readonly ready: Promise<void>;
}

export async function rdsService(context: ServiceContext): Promise<RdsService> {
  const servers = databaseServers(context.project);
  const log = (line: string) => context.log.info(line);
  const lite = context.postgresUrl === undefined && servers.length > 0 && usePglite(context);
  if (lite) context.log.warn(pgliteNote(context.databaseEngine === 'pglite'));
  const running = await Promise.all(
    servers.map((server) => (context.postgresUrl === undefined ? embedded(server, context, lite, log) : external(server, context.postgresUrl, log))),
  );
  const dataApi = new DataApi(running, context.callAws);
  const ready = Promise.all(running.map((r) => r.connection())).then(() => undefined);
  ready.catch((error: unknown) => context.log.error(`rds: ${(error as Error).message}`));
  return {
    name: 'rds',
    ready,
    // S3 bucket names are lower case, so these paths are never S3's.
    matches: isDataApiRequest,
    handle: (request, res) => dataApi.handle(request, res),
    async close() {
      await dataApi.close();
      await Promise.all(running.map((r) => r.close()));
    },
  };
}

interface Running extends DataApiTarget {
  close(): Promise<void>;
}

/** Why the databases run on PGlite, and what that costs. */
function pgliteNote(chosen: boolean): string {
  return (
    `rds: ${chosen ? '--db-engine pglite' : 'no PostgreSQL installed (no initdb/postgres found)'}: the databases run on PGlite, PostgreSQL 18 compiled ` +
    'to WebAssembly, inside gatehouse. Its limits: one session per database server (a connection inside a transaction makes the ' +
    'others wait), only the DatabaseName database, 0.6-0.9 GB of memory per server, seconds to start (the first start initialises ' +
    'for longer). For the real engine install PostgreSQL (apt-get install postgresql, brew install postgresql) or pass --postgres-url.'
  );
}

/** `--db-engine pglite`, or `auto` on a machine without PostgreSQL. */
function usePglite(context: ServiceContext): boolean {
  if (context.databaseEngine === 'pglite') return true;
  return context.databaseEngine !== 'postgres' && findPostgresBin() === null;
}

/** A PostgreSQL of our own behind the template's port: the installed one, or PGlite. */
async function embedded(server: DatabaseServer, context: ServiceContext, lite: boolean, log: (line: string) => void): Promise<Running> {
  const dir = path.join(context.dataDir, server.identifier);
  const engine = lite
    ? new PgliteEngine({ dir, database: server.databaseName, prepare: (admin) => createRoleAndDatabase(admin, server), log })
    : new PostgresEngine({ dir, log });
  const started = engine.start().then(async () => {
    const admin = { host: engine.socketDir, port: engine.socketPort, user: ADMIN_ROLE, password: engine.adminPassword, database: engine.adminDatabase };
    await bootstrap(admin, server, log);
    log(`rds: ${server.logicalId} (${server.engine}${lite ? ' on PGlite' : ''}) ready on port ${server.port}`);
    return { host: engine.socketDir, port: engine.socketPort };
  });
  started.catch(() => {});
  const proxy = new DatabaseProxy(() => started.then(() => engine.socketPath));
  try {
    await proxy.listen(server.port, context.databaseHost ?? '127.0.0.1');
  } catch (error) {
    await started.catch(() => {});
    await engine.stop();
    throw error;
  }
  return {
    server,
    connection: () => started,
    async close() {
      await proxy.close();
      await started.catch(() => {});
      await engine.stop();
    },
  };
}

/** `--postgres-url`: the template's database, role and migrations on an existing server. */
async function external(server: DatabaseServer, url: string, log: (line: string) => void): Promise<Running> {
  const parsed = new URL(url);
  const target = { host: parsed.hostname, port: Number(parsed.port || 5432) };
  const admin = { ...target, user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password), database: parsed.pathname.slice(1) || 'postgres' };
  const setUp = bootstrap(admin, server, log).then(() => target);
  setUp.catch(() => {});
  return { server, connection: () => setUp, close: async () => {} };
}

