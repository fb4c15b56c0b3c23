/**
 * The worker thread that runs one PGlite (PostgreSQL compiled to WebAssembly). PGlite executes SQL
 * synchronously, so it lives off the main thread: a long query never stalls the gateway. It knows
 * nothing of clients: the bridge sends it whole protocol messages of one client at a time, with the
 * role they run as, and reads back what PostgreSQL wrote.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './messages.js';
import { ident, literal } from '../bootstrap.js';
import { PROTOCOL_3, backendMessages, cstring, int32, message } from '../wire.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;

const queryMessage = (sql: string): Buffer => message('Q', cstring(sql));

/** The first ErrorResponse's message in PostgreSQL's output, if any. */
function errorIn(output: Uint8Array): string | null {
  for (const { type, body } of backendMessages(Buffer.from(output.buffer, output.byteOffset, output.byteLength))) {
    if (type === 0x45) return body.toString('utf8').split('\0').find((field) => field.startsWith('M'))?.slice(1) ?? 'error';
  }
  return null;
}

/** The StartupMessage PGlite answers with its ParameterStatus values (it ignores user and database). */
function startupMessage(): Buffer {
  const pairs = Buffer.concat([cstring('user'), cstring('postgres'), Buffer.from([0])]);
  return Buffer.concat([int32(8 + pairs.length), int32(PROTOCOL_3), pairs]);
}

function parameterStatuses(output: Uint8Array): [string, string][] {
  const statuses: [string, string][] = [];
  for (const { type, body } of backendMessages(Buffer.from(output))) {
    if (type !== 0x53) continue;
    const [name, value] = body.toString('utf8').split('\0');
    statuses.push([name!, value!]);
  }
  return statuses;
}

const db = await PGlite.create({ dataDir: setup.dataDir, database: setup.database });
/** The role the session runs as now (null: PGlite's own superuser). */
let currentRole: string | null = null;

async function runAs(role: string | null): Promise<void> {
  if (role === currentRole) return;
  const error = errorIn(await db.execProtocolRaw(queryMessage(role === null ? 'RESET ROLE' : `SET ROLE ${ident(role)}`)));
  if (error !== null) throw new Error(error);
  currentRole = role;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.kind) {
    case 'exchange': {
      await runAs(request.role);
      const output = await db.execProtocolRaw(request.frames);
      return { id: request.id, output };
    }
    case 'query': {
      await runAs(null);
      const { rows } = await db.query<Record<string, unknown>>(request.sql, request.params);
      return { id: request.id, rows };
    }
    case 'close':
      await db.close();
      return { id: request.id };
  }
}

// gatehouse's administrator: a superuser whose password follows the file beside the data.
const admin = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [setup.adminRole]);
await db.exec(`${admin.rows.length === 0 ? 'CREATE' : 'ALTER'} ROLE ${ident(setup.adminRole)} SUPERUSER LOGIN PASSWORD ${literal(setup.adminPassword)}`);

/** The output owns its whole buffer (PGlite copies it), so it crosses without a copy. */
const transferable = (reply: WorkerReply): ArrayBuffer[] =>
  'output' in reply && reply.output.byteOffset === 0 && reply.output.byteLength === reply.output.buffer.byteLength ? [reply.output.buffer as ArrayBuffer] : [];

/** PGlite stopped inside WebAssembly (e.g. `exit()`): it is unusable, so the thread ends and the bridge starts another. */
const isCrash = (error: unknown): boolean => ['ExitStatus', 'RuntimeError'].includes((error as Error).name);

port.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => {
      port.postMessage(reply, transferable(reply));
      if (request.kind === 'close') port.close();
    },
    (error: unknown) => {
      const crashed = isCrash(error);
      const text = crashed ? `PGlite stopped while running this request (${(error as Error).message})` : (error as Error).message;
      port.postMessage({ id: request.id, error: text } satisfies WorkerReply);
      if (crashed) process.exit(1);
    },
  );
});
port.postMessage({ id: 0, parameters: parameterStatuses(await db.execProtocolRaw(startupMessage())) } satisfies WorkerReply);
