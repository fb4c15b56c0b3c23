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

const setup = workerData as WorkerSetup;
const port = parentPort!;


function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const frame = Buffer.alloc(5 + text.length);
  frame.write('Q', 0, 'latin1');
  frame.writeInt32BE(4 + text.length, 1);
  text.copy(frame, 5);
  return frame;
}

/** The first ErrorResponse's message in PostgreSQL's output, if any. */
function errorIn(output: Uint8Array): string | null {
  const b = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  for (let at = 0; at + 5 <= b.length; at += 1 + b.readInt32BE(at + 1)) {
    if (b[at] !== 0x45) continue;
    const fields = b.toString('utf8', at + 5, at + 1 + b.readInt32BE(at + 1)).split('\0');
    return fields.find((f) => f.startsWith('M'))?.slice(1) ?? 'error';
  }
  return null;
}

/** The StartupMessage PGlite answers with its ParameterStatus values (it ignores user and database). */
function startupMessage(): Uint8Array {
  const pairs = Buffer.from('user\0postgres\0\0', 'utf8');
  const frame = Buffer.alloc(8 + pairs.length);
  frame.writeInt32BE(frame.length, 0);
  frame.writeInt32BE(196608, 4);
  pairs.copy(frame, 8);
  return frame;
}

function parameterStatuses(output: Uint8Array): [string, string][] {
  const b = Buffer.from(output);
  const statuses: [string, string][] = [];
  for (let at = 0; at + 5 <= b.length; at += 1 + b.readInt32BE(at + 1)) {
    if (b[at] !== 0x53) continue;
    const [name, value] = b.toString('utf8', at + 5, at + 1 + b.readInt32BE(at + 1)).split('\0');
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
