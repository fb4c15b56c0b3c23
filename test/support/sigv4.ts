/** Test support: requests to the gateway signed with the AWS SDK's SigV4 signer (@smithy/signature-v4), header or pre-signed form. */
import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import type { TestGateway, TestResponse } from './gateway.js';

class Sha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export async function signedCall(
  gw: TestGateway,
  credentials: Credentials,
  method: string,
  path: string,
  options: { body?: string; signingDate?: Date; presign?: boolean; tamper?: (r: { path: string; body?: string }) => void } = {},
): Promise<TestResponse> {
  const url = new URL(gw.gatehouse.apiUrl + path);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
    ...(options.body !== undefined && { body: options.body }),
  });
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'execute-api', sha256: Sha256 });
  const date = options.signingDate ?? new Date();
  const signed = options.presign ? await signer.presign(request, { signingDate: date, expiresIn: 300 }) : await signer.sign(request, { signingDate: date });
  const search = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  const sent = { path: `${signed.path}${search === '' ? '' : `?${search}`}`, ...(options.body !== undefined && { body: options.body }) };
  options.tamper?.(sent);
  const headers = { ...(signed.headers as Record<string, string>) };
  return gw.call(method, sent.path, { headers, ...(sent.body !== undefined && { body: sent.body }) });
}

