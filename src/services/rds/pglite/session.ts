/**
 * One client connection on the PGlite bridge: its startup and password check done here (PGlite
 * itself trusts everyone), then its messages passed to the single PGlite session during its turns.
 * Named prepared statements get a per-connection prefix so two connections' `s1` never collide; a
 * connection that goes away mid-transaction is rolled back and its statements closed, so the
 * others proceed.
 * PostgreSQL docs "Frontend/Backend Protocol": "Message Flow" (Start-up, Extended Query), "Message Formats".
 */
import type { Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { PasswordExchange, authenticationOk } from './auth.js';
import type { PgliteThread } from './thread.js';
import type { TurnLock } from './turns.js';
import type { Role, RoleCache } from './roles.js';
import {
  CANCEL_REQUEST_CODE,
  FrameReader,
  GSSENC_REQUEST_CODE,
  PROTOCOL_3,
  SSL_REQUEST_CODE,
  backendMessages,
  cstring,
  errorResponse,
  int32,
  message,
  readCStrings,
  startupParameters,
} from '../wire.js';

/** One running PGlite as sessions see it. */
export interface Backend {
  thread: PgliteThread;
  lock: TurnLock;
  /** ParameterStatus values PGlite reported at start. */
  parameters: [string, string][];
  /** The one database this PGlite serves. */
  database: string;
  roles: RoleCache;
}

/** PGlite stops inside WebAssembly when a COPY waits for data from the client: such statements are refused before they reach it. */
const COPY_FROM_STDIN = /\bcopy\b[^;]*?\bfrom\s+stdin\b/i;
const REFUSE_COPY = `DO $gatehouse$BEGIN RAISE EXCEPTION 'COPY FROM STDIN is not supported by the PGlite fallback (install PostgreSQL for it)' USING ERRCODE = 'feature_not_supported'; END$gatehouse$`;

let sessions = 0;

export class Session {
  readonly #socket: Socket;
  readonly #backend: () => Promise<Backend>;
  readonly #reader = new FrameReader();
  /** Prefix of this connection's prepared statement names inside the shared session. */
  readonly #prefix = `gh${++sessions}_`;
  #state: 'startup' | 'password' | 'ready' | 'closed' = 'startup';
  #backendNow: Backend | null = null;
  #user = '';
  #exchange: PasswordExchange | null = null;
  #role: Role | null = null;
  #applicationName = '';
  /** Messages waiting for this connection's next turn. */
  #pending: Buffer[] = [];
  /** Statement names (prefixed) this connection prepared and has not closed. */
  readonly #statements = new Set<string>();
  /** Transaction status of the last ReadyForQuery: 'I' idle, 'T' in a block, 'E' failed block. */
  #status = 'I';
  /** Messages were sent and their ReadyForQuery has not come back yet (an extended-query pipeline). */
  #midTurn = false;
  #running: Promise<void> | null = null;
  /** The work of the frames in order (startup steps are asynchronous). */
  #chain: Promise<void> = Promise.resolve();

  constructor(socket: Socket, backend: () => Promise<Backend>) {
    this.#socket = socket;
    this.#backend = backend;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.#closed());
  }

  /** Ends the connection with a FATAL error (PGlite stopped, gatehouse stops). */
  end(code: string, text: string): void {
    if (this.#socket.destroyed) return;
    this.#socket.end(errorResponse('FATAL', code, text));
    this.#socket.destroySoon();
  }

  #receive(chunk: Buffer): void {
    this.#reader.push(chunk);
    try {
      for (let frame = this.#reader.next(); frame !== null; frame = this.#reader.next()) {
        const f = frame;
        if (this.#state === 'ready') this.#message(f);
        else this.#chain = this.#chain.then(() => this.#handshake(f)).catch((error: unknown) => this.end('08006', (error as Error).message));
      }
    } catch (error) {
      this.end('08P01', `invalid frontend message: ${(error as Error).message}`);
    }
  }

  async #handshake(frame: Buffer): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'ready') return this.#message(frame);
    if (this.#state === 'password') return this.#password(frame);
    const code = frame.readInt32BE(4);
    if (frame.length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE)) {
      this.#socket.write('N');
      return;
    }
    // PGlite runs each statement to its end: there is nothing to cancel.
    if (code === CANCEL_REQUEST_CODE) return void this.#socket.destroy();
    if (code >>> 16 !== PROTOCOL_3 >>> 16) return this.end('0A000', `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0`);
    const params = startupParameters(frame);
    this.#user = params.get('user') ?? '';
    if (this.#user === '') return this.end('28000', 'no PostgreSQL user name specified in startup packet');
    if (params.has('replication') && params.get('replication') !== 'false') return this.end('0A000', 'replication connections are not supported by the PGlite fallback');
    this.#applicationName = params.get('application_name') ?? '';
    const backend = await this.#backend();
    this.#backendNow = backend;
    const database = params.get('database') || this.#user;
    if (database !== backend.database) {
      return this.end('3D000', `database "${database}" is not served by the PGlite fallback, which runs one database, "${backend.database}" (install PostgreSQL for more)`);
    }
    this.#role = await backend.roles.login(this.#user);
    this.#exchange = new PasswordExchange(this.#role?.rolpassword ?? null);
    this.#reader.startupDone();
    this.#state = 'password';
    this.#socket.write(this.#exchange.start());
  }

  #password(frame: Buffer): void {
    if (frame[0] !== 0x70) return this.end('08P01', `expected password response, got message type ${String.fromCharCode(frame[0]!)}`);
    const step = this.#exchange!.receive(frame.subarray(5));
    if (!step.done) return void this.#socket.write(step.reply);
    if (!step.ok) return this.end('28P01', `password authentication failed for user "${this.#user}"`);
    // A mock exchange (no role) never succeeds, so the role is known here.
    if (!this.#role!.rolcanlogin) return this.end('28000', `role "${this.#user}" is not permitted to log in`);
    const parameters = new Map(this.#backendNow!.parameters);
    parameters.set('application_name', this.#applicationName);
    parameters.set('session_authorization', this.#user);
    parameters.set('is_superuser', this.#role!.rolsuper ? 'on' : 'off');
    this.#socket.write(
      Buffer.concat([
        ...(step.reply === null ? [] : [step.reply]),
        authenticationOk(),
        ...[...parameters].map(([name, value]) => message('S', Buffer.concat([cstring(name), cstring(value)]))),
        message('K', Buffer.concat([int32(randomInt(1, 2 ** 31 - 1)), int32(randomInt(0, 2 ** 31 - 1))])),
        message('Z', Buffer.from('I')),
      ]),
    );
    this.#state = 'ready';
  }

  #message(frame: Buffer): void {
    if (frame[0] === 0x58) return void this.#socket.end(); // Terminate
    this.#pending.push(this.#rename(frame));
    this.#pump();
  }

  /** Parse, Bind, Describe and Close name statements: this connection's names get its prefix. */
  #rename(frame: Buffer): Buffer {
    const type = String.fromCharCode(frame[0]!);
    const body = frame.subarray(5);
    switch (type) {
      case 'Q': {
        const sql = readCStrings(body, 0, 1).values[0]!;
        return COPY_FROM_STDIN.test(sql) ? message('Q', cstring(REFUSE_COPY)) : frame;
      }
      case 'P': {
        const { values, end } = readCStrings(body, 0, 2);
        const name = this.#name(values[0]!);
        if (name !== '') this.#statements.add(name);
        const sql = COPY_FROM_STDIN.test(values[1]!) ? REFUSE_COPY : values[1]!;
        return message('P', Buffer.concat([cstring(name), cstring(sql), body.subarray(end)]));
      }
      case 'B': {
        const { values, end } = readCStrings(body, 0, 2);
        return values[1] === '' ? frame : message('B', Buffer.concat([cstring(values[0]!), cstring(this.#name(values[1]!)), body.subarray(end)]));
      }
      case 'D':
      case 'C': {
        if (body[0] !== 0x53) return frame; // 'P': portals live inside one turn
        const name = this.#name(readCStrings(body, 1, 1).values[0]!);
        if (type === 'C') this.#statements.delete(name);
        return name === '' ? frame : message(type, Buffer.concat([Buffer.from('S'), cstring(name)]));
      }
      default:
        return frame;
    }
  }

  #name(name: string): string {
    return name === '' ? '' : this.#prefix + name;
  }

  /** Sends the pending messages in this connection's turn; the turn ends when the session is idle again. */
  #pump(): void {
    if (this.#running !== null) return;
    this.#running = (async () => {
      const backend = this.#backendNow!;
      while (this.#pending.length > 0 && this.#state === 'ready') {
        await backend.lock.acquire(this);
        const frames = Buffer.concat(this.#pending.splice(0));
        const output = await backend.thread.exchange(frames, this.#user);
        this.#observe(output);
        if (!this.#socket.destroyed) this.#socket.write(output);
        if (!this.#midTurn && this.#status === 'I') backend.lock.release(this);
      }
    })()
      .catch((error: unknown) => {
        // Where the session stands is unknown: the clean-up on close rolls back before the others go on.
        this.#midTurn = true;
        this.end('57P01', `terminating connection: ${(error as Error).message}`);
      })
      .finally(() => (this.#running = null));
  }

  /** The last ReadyForQuery of PostgreSQL's output says whether the session is idle; command tags say whether roles changed. */
  #observe(output: Buffer): void {
    let last: { type: number; body: Buffer } | null = null;
    for (const m of backendMessages(output)) {
      last = m;
      if (m.type === 0x43) this.#backendNow!.roles.observe(m.body.toString('latin1', 0, 11));
    }
    this.#midTurn = last?.type !== 0x5a;
    if (!this.#midTurn) this.#status = String.fromCharCode(last!.body[0]!);
  }

  /** A connection that went away: roll back what it left open and close its statements, in its turn. */
  #closed(): void {
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    if (!wasReady) return;
    const backend = this.#backendNow!;
    void (async () => {
      await this.#running;
      const cleanup: Buffer[] = [];
      if (this.#midTurn) cleanup.push(message('S'));
      if (this.#midTurn || this.#status !== 'I') cleanup.push(message('Q', cstring('ROLLBACK')));
      for (const name of this.#statements) cleanup.push(message('C', Buffer.concat([Buffer.from('S'), cstring(name)])));
      if (this.#statements.size > 0) cleanup.push(message('S'));
      if (cleanup.length === 0) return;
      // As the superuser: the login role may be gone.
      await backend.lock.run(this, () => backend.thread.exchange(Buffer.concat(cleanup), null)).catch(() => {});
    })();
  }
}
