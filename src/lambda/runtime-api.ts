/**
 * The Lambda Runtime API (2018-06-01) served to one execution environment on a loopback port:
 * `GET /runtime/invocation/next` (long poll), `POST /runtime/invocation/{id}/response|error`,
 * `POST /runtime/init/error`.
 * AWS docs: "Using the Lambda runtime API for custom runtimes" (runtimes-api.html).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvocationRequest } from './environment.js';

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = /^invocation\/([^/]+)\/(response|error)$/;

export interface RuntimeApiEvents {
  /** The runtime asked for its first invocation: init is over. */
  onFirstNext(): void;
  onInitError(body: Buffer, errorType: string): void;
  onResponse(body: Buffer): void;
  onError(body: Buffer, errorType: string): void;
}

export class RuntimeApiServer {
  readonly #server: http.Server;
  readonly #events: RuntimeApiEvents;
  #sawNext = false;
  /** The runtime's pending `next` request, answered when an invocation arrives. */
  #waiting: http.ServerResponse | null = null;
  #queued: InvocationRequest | null = null;
  /** Request id of the invocation the runtime holds now. */
  #current: string | null = null;

  constructor(events: RuntimeApiEvents) {
    this.#events = events;
    this.#server = http.createServer((req, res) => this.#route(req, res));
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Listens on 127.0.0.1 and returns the `host:port` for AWS_LAMBDA_RUNTIME_API. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  deliver(invocation: InvocationRequest): void {
    this.#current = invocation.requestId;
    const res = this.#waiting;
    if (res === null) {
      this.#queued = invocation;
      return;
    }
    this.#waiting = null;
    this.#send(res, invocation);
  }

  setActive(active: boolean): void {
    if (active) this.#server.ref();
    else this.#server.unref();
  }

  close(): void {
    this.#waiting = null;
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #send(res: http.ServerResponse, inv: InvocationRequest): void {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': String(inv.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': inv.traceId,
      'Content-Length': inv.payload.length,
    };
    if (inv.clientContext !== '') headers['Lambda-Runtime-Client-Context'] = asciiJson(inv.clientContext);
    res.writeHead(200, headers);
    res.end(inv.payload);
  }

  #route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return reply(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
    const route = url.slice(PREFIX.length);
    if (req.method === 'GET' && route === 'invocation/next') {
      if (!this.#sawNext) {
        this.#sawNext = true;
        this.#events.onFirstNext();
      }
      const queued = this.#queued;
      if (queued !== null) {
        this.#queued = null;
        this.#send(res, queued);
      } else {
        this.#waiting = res;
        res.on('close', () => {
          if (this.#waiting === res) this.#waiting = null;
        });
      }
      return;
    }
    if (req.method !== 'POST') return reply(res, 405, { errorMessage: 'Method not allowed', errorType: 'MethodNotAllowed' });
    const errorType = headerOf(req, 'lambda-runtime-function-error-type');
    readBody(req, (body) => {
      if (route === 'init/error') {
        reply(res, 202, { status: 'OK' });
        this.#events.onInitError(errorBody(body, errorType), errorType ?? 'Runtime.Unknown');
        return;
      }
      const match = INVOCATION.exec(route);
      if (match === null) return reply(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
      if (match[1] !== this.#current) return reply(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      this.#current = null;
      reply(res, 202, { status: 'OK' });
      if (match[2] === 'response') this.#events.onResponse(body);
      else this.#events.onError(errorBody(body, errorType), errorType ?? 'Runtime.Unknown');
    });
  }
}

function headerOf(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: http.IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

/** An error body as posted, or one built from the error-type header when the runtime sent none. */
function errorBody(body: Buffer, errorType: string | undefined): Buffer {
  if (body.length > 0) return body;
  return Buffer.from(JSON.stringify({ errorMessage: 'Unknown application error occurred', errorType: errorType ?? 'Unhandled' }));
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Header values must be Latin-1: non-ASCII characters of the JSON become \u escapes (same JSON value). */
function asciiJson(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
