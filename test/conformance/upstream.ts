// The echo server that cases with `upstream:` use as HTTP backend and as JWT issuer (JWKS endpoints).

import { generateKeyPair, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const KEY_ID = 'conformance-key-1';

export interface SigningKey {
  privateKey: KeyObject;
  /** The public half as a JWK with kid, alg and use, as published in jwks.json. */
  publicJwk: Record<string, unknown>;
}

let keyPromise: Promise<SigningKey> | undefined;

/** One RSA key per runner process: generating one per case would only cost time. */
export function getSigningKey(): Promise<SigningKey> {
  keyPromise ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      const jwk = publicKey.export({ format: 'jwk' });
      resolve({ privateKey, publicJwk: { ...jwk, kid: KEY_ID, alg: 'RS256', use: 'sig' } });
    });
  });
  return keyPromise;
}

export interface Upstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** What the echo server answers for one request (FORMAT.md "Upstream echo server"). */
export interface EchoReport {
  method: string;
  path: string;
  rawQuery: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

export function echoReport(req: IncomingMessage, body: Buffer): EchoReport {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);

  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const prev = query[name];
    if (prev === undefined) query[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else query[name] = [prev, value];
  }

  // Built from the raw lines so that every repeated header is kept (Node drops some duplicates).
  const lists = new Map<string, string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    lists.set(name, [...(lists.get(name) ?? []), req.rawHeaders[i + 1]!]);
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of lists) headers[name] = values.join(name === 'cookie' ? '; ' : ', ');

  const text = body.toString('utf8');
  let json: unknown = null;
  if (text.length) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { method: req.method ?? 'GET', path, rawQuery, query, headers, body: text, json };
}

function statusFor(report: EchoReport): number {
  const fromHeader = /^\d{3}$/.exec(report.headers['x-echo-status'] ?? '')?.[0];
  const fromPath = /^\/status\/(\d{3})(?:\/|$)/.exec(report.path)?.[1];
  const code = Number(fromHeader ?? fromPath ?? 200);
  return code >= 200 && code <= 599 ? code : 200;
}

function send(res: ServerResponse, status: number, payload: unknown, method: string): void {
  const body = Buffer.from(JSON.stringify(payload));
  const noBody = status === 204 || status === 304;
  res.writeHead(status, {
    'content-type': 'application/json',
    server: 'conformance-echo',
    'x-upstream': 'conformance-echo',
    ...(noBody ? {} : { 'content-length': String(body.length) }),
  });
  res.end(noBody || method === 'HEAD' ? undefined : body);
}

export async function startUpstream(key: SigningKey): Promise<Upstream> {
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const report = echoReport(req, Buffer.concat(chunks));
      if (report.method === 'GET' && report.path === '/.well-known/openid-configuration') {
        return send(res, 200, {
          issuer: base,
          jwks_uri: `${base}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ['RS256'],
        }, 'GET');
      }
      if (report.method === 'GET' && report.path === '/.well-known/jwks.json') {
        return send(res, 200, { keys: [key.publicJwk] }, 'GET');
      }
      send(res, statusFor(report), report, report.method);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // The gateway may hold keep-alive connections; close() alone would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
