// Sends one HTTP request exactly as a case wrote it (path not normalised, header case kept) and reads the raw answer.

import { request as httpRequest } from 'node:http';
import { headersFromRaw, type HeaderLines } from './match.js';

export interface RawRequest {
  port: number;
  host?: string;
  method: string;
  /** Sent as the request target byte for byte: `//` and `..` stay. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: HeaderLines;
  body: Buffer;
}

export function sendRaw(req: RawRequest, signal: AbortSignal): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    const names = Object.keys(headers).map((n) => n.toLowerCase());
    if (req.body && !names.includes('content-length') && !names.includes('transfer-encoding')) {
      headers['Content-Length'] = String(req.body.length);
    }
    let client;
    try {
      // node:http, not fetch or undici's URL-based API: those parse the URL and would rewrite the path.
      client = httpRequest({
        host: req.host ?? '127.0.0.1',
        port: req.port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
        signal,
      });
    } catch (err) {
      reject(err);
      return;
    }
    client.on('error', reject);
    client.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: headersFromRaw(res.rawHeaders), body: Buffer.concat(chunks) }),
      );
    });
    client.end(req.body);
  });
}

/** A target given as a full `http://host:port/path` (e.g. `${upstream}/x`) is split without URL parsing. */
export function splitTarget(target: string, defaultPort: number): { host: string; port: number; path: string } {
  const m = /^http:\/\/([^/:]+)(?::(\d+))?(\/.*)?$/.exec(target);
  if (m) return { host: m[1]!, port: m[2] ? Number(m[2]) : 80, path: m[3] ?? '/' };
  return { host: '127.0.0.1', port: defaultPort, path: target };
}
