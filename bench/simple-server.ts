// Child-process entry for the reference targets: a bare node:http JSON server, the upstream, and a minimal undici proxy.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export type SimpleServerConfig =
  /** Answers every request with the same JSON body (the ceiling for a MOCK route). */
  | { kind: 'json'; body: string }
  /** The upstream of the proxy scenario: a small JSON body naming the path it was asked for. */
  | { kind: 'upstream' }
  /** node:http + undici Pool.request: forwards method, path (minus stripPrefix) and headers, buffers the answer. */
  | { kind: 'undici-proxy'; upstream: string; stripPrefix: string }
  /** Calls a Lambda proxy handler in this process for every request: the ceiling for a Lambda route. */
  | { kind: 'lambda-in-process'; handlerFile: string };

type ProxyHandler = (event: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;

async function inProcessLambdaHandler(handlerFile: string): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const { handler } = (await import(handlerFile)) as { handler: ProxyHandler };
  return (req, res) => {
    req.resume();
    const event = { resource: '/hello', path: req.url, httpMethod: req.method, headers: req.headers, body: null, isBase64Encoded: false };
    handler(event).then((result) => {
      const body = result.body ?? '';
      res.writeHead(result.statusCode, { 'Content-Type': 'application/json', ...result.headers, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  };
}

/** Same idle keep-alive as gatehouse's API server, so no side closes connections the other keeps. */
const KEEP_ALIVE_MS = 65_000;

// Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded; undici also rejects some of them.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'host']);

function jsonHandler(body: string) {
  const length = String(Buffer.byteLength(body));
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
    res.end(body);
  };
}

function upstreamHandler(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const body = JSON.stringify({ message: 'hello', path: req.url ?? '/' });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function proxyHandler(upstream: string, stripPrefix: string) {
  // Same pool settings as gatehouse's HttpClient.
  const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
  return (req: IncomingMessage, res: ServerResponse): void => {
    let path = req.url ?? '/';
    if (stripPrefix && path.startsWith(stripPrefix)) path = path.slice(stripPrefix.length) || '/';
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1]!);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    if (!hasBody) req.resume();
    pool
      .request({ path, method: req.method as Dispatcher.HttpMethod, headers, body: hasBody ? req : null, headersTimeout: 29_000, bodyTimeout: 29_000 })
      .then(async (response) => {
        const body = Buffer.from(await response.body.arrayBuffer());
        const out: string[] = [];
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length') continue;
          for (const v of Array.isArray(value) ? value : [value]) out.push(name, v);
        }
        out.push('content-length', String(body.length));
        res.writeHead(response.statusCode, out);
        res.end(body);
      })
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = JSON.stringify({ message: `upstream failed: ${(error as Error).message}` });
        res.writeHead(502, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
        res.end(body);
      });
  };
}

async function main(config: SimpleServerConfig): Promise<void> {
  const handler =
    config.kind === 'json'
      ? jsonHandler(config.body)
      : config.kind === 'upstream'
        ? upstreamHandler
        : config.kind === 'lambda-in-process'
          ? await inProcessLambdaHandler(config.handlerFile)
          : proxyHandler(config.upstream, config.stripPrefix);
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, handler);
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  // The bench owns this process: leave when it goes away or asks us to.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

if (process.send !== undefined && process.argv[2] !== undefined) {
  void main(JSON.parse(process.argv[2]) as SimpleServerConfig);
}
