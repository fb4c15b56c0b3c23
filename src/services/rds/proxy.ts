/**
 * The TCP port of an embedded database (`Endpoint.Port`): gatehouse listens at once, so functions and
 * clients can connect while PostgreSQL is still starting; each connection waits for the server, then
 * is piped byte for byte to its Unix socket (one backend per client connection, as with RDS). When
 * the server cannot start, the client gets a PostgreSQL error saying why (PostgreSQL docs "Frontend/Backend
 * Protocol": SSLRequest, StartupMessage, ErrorResponse).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

const SSL_REQUEST_CODE = 80877103;

export class DatabaseProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  /** `upstream` resolves to the server's socket path, or rejects with the reason it is unavailable. */
  constructor(upstream: () => Promise<string>) {
    this.#server = createServer({ noDelay: true, pauseOnConnect: true }, (client) => {
      this.#sockets.add(client);
      client.once('close', () => this.#sockets.delete(client));
      client.on('error', () => client.destroy());
      upstream().then(
        (socketPath) => pipe(client, socketPath, this.#sockets),
        (error: unknown) => refuse(client, (error as Error).message),
      );
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`database port ${host}:${port} is in use: pass another --db-port, or stop what listens there`) : error),
      );
      this.#server.listen(port, host, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function pipe(client: Socket, socketPath: string, sockets: Set<Socket>): void {
  if (client.destroyed) return;
  const server = connect(socketPath);
  sockets.add(server);
  server.once('close', () => {
    sockets.delete(server);
    client.destroy();
  });
  server.on('error', () => server.destroy());
  client.once('close', () => server.destroy());
  server.once('connect', () => {
    client.pipe(server);
    server.pipe(client);
    client.resume();
  });
}

/** Answers the startup with a FATAL ErrorResponse (after declining SSL), so the client reports the reason. */
function refuse(client: Socket, message: string): void {
  let buffered = Buffer.alloc(0);
  client.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 8) return;
    const length = buffered.readInt32BE(0);
    if (buffered.length < length) return;
    if (length === 8 && buffered.readInt32BE(4) === SSL_REQUEST_CODE) {
      buffered = buffered.subarray(8);
      client.write('N');
      return;
    }
    client.end(errorResponse(message));
  });
  client.resume();
}

function errorResponse(message: string): Buffer {
  const fields = Buffer.concat(
    [['S', 'FATAL'], ['V', 'FATAL'], ['C', '08006'], ['M', message]].map(([code, value]) => Buffer.from(`${code}${value}\0`, 'utf8')).concat(Buffer.from([0])),
  );
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}
