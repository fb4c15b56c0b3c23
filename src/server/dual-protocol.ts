/**
 * One port for HTTP/1.1 and cleartext HTTP/2 (prior knowledge): the AWS SDK v3 Kinesis client
 * speaks h2c by default and fails against an HTTP/1.1-only server, while other clients speak
 * HTTP/1.1. Node's `allowHTTP1` works only with TLS, so the first bytes of each connection pick
 * the protocol: the HTTP/2 connection preface goes to an http2 server, the rest to node:http.
 * RFC 9113 section 3.4 (HTTP/2 connection preface).
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface DualProtocolServer {
  net: NetServer;
  http1: HttpServer;
  http2: Http2Server;
  /** Stops accepting, lets in-flight requests finish, closes idle connections (all after 10 s). */
  drain(): Promise<void>;
}

/**
 * The http2 core reads a net.Socket's native handle directly, past anything unshifted in JS; a
 * plain Duplex in front of the socket makes it read through JS, starting with the bytes we peeked.
 */
function replay(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

export function createDualProtocolServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { keepAliveTimeout: number },
): DualProtocolServer {
  // node:http tracks idle connections only for servers that listen themselves; this one is fed
  // sockets, so it counts requests in flight per socket to close idle ones on drain.
  const inFlight = new Map<Socket, number>();
  let draining = false;
  const http1 = createHttpServer({ keepAliveTimeout: options.keepAliveTimeout }, (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const count = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, count);
      if (draining && count === 0) socket.destroy();
    });
    handler(req, res);
  });
  // The compatibility API gives HTTP/2 streams the req/res surface the handler uses (url, headers, writeHead, end).
  const http2 = createHttp2Server((req, res) => handler(req as unknown as IncomingMessage, res as unknown as ServerResponse));
  const sessions = new Set<ServerHttp2Session>();
  http2.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const net = createNetServer((socket: Socket) => {
    socket.once('data', (first: Buffer) => {
      socket.pause();
      const length = Math.min(first.length, PREFACE.length);
      if (first.length >= 3 && first.subarray(0, length).equals(PREFACE.subarray(0, length))) {
        http2.emit('connection', replay(socket, first));
      } else {
        socket.unshift(first);
        inFlight.set(socket, 0);
        socket.once('close', () => inFlight.delete(socket));
        http1.emit('connection', socket);
        socket.resume();
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return {
    net,
    http1,
    http2,
    drain: () =>
      new Promise<void>((resolve) => {
        draining = true;
        net.close(() => resolve());
        for (const [socket, count] of inFlight) if (count === 0) socket.destroy();
        http2.close();
        // A graceful GOAWAY: streams in flight finish, then the session ends.
        for (const session of sessions) session.close();
        const timer = setTimeout(() => {
          for (const socket of inFlight.keys()) socket.destroy();
          for (const session of sessions) session.destroy();
        }, 10_000);
        timer.unref();
      }),
  };
}
