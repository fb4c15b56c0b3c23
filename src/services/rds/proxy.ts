/**
 * The TCP port of an embedded database (`Endpoint.Port`): gatehouse listens at once, so functions and
 * clients can connect while PostgreSQL is still starting; each connection waits for the server, then
 * is piped byte for byte to its Unix socket (one backend per client connection, as with RDS). When
 * the server cannot start, the client gets a PostgreSQL error saying why (PostgreSQL docs "Frontend/Backend
 * Protocol": SSLRequest, StartupMessage, ErrorResponse).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameReader, SSL_REQUEST_CODE, errorResponse } from './wire.js';

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
function refuse(client: Socket, text: string): void {
  const reader = new FrameReader();
  client.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let frame = reader.next(); frame !== null; frame = reader.next()) {
      if (frame.length === 8 && frame.readInt32BE(4) === SSL_REQUEST_CODE) {
        client.write('N');
        continue;
      }
      client.end(errorResponse('FATAL', '08006', text));
      return;
    }
  });
  client.resume();
}
