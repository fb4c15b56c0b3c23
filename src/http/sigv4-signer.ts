/**
 * Signs outgoing AWS requests with Signature Version 4 (what API Gateway does with an
 * integration's credentials). Built on @smithy/signature-v4 with Node's own SHA-256 (measured ~2x
 * faster than the pure-JS one).
 * AWS docs: "Signature Version 4 signing process".
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';

class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credentials resolved per signature (a chain that caches and refreshes them, http/aws-credentials.ts). */
export type CredentialProvider = () => Promise<SigningCredentials>;

export interface RequestToSign {
  method: string;
  /** 'http:' or 'https:' */
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Buffer;
}

/** Keys gatehouse signs its own calls to the embedded services with (they accept any unless told to verify). */
export const LOCAL_CREDENTIALS: SigningCredentials = { accessKeyId: 'AKIAGATEHOUSELOCAL00', secretAccessKey: 'gatehouse-local-secret' };

export class SigV4Signer {
  readonly #signers = new Map<string, SignatureV4>();

  constructor(private readonly credentials: SigningCredentials | CredentialProvider) {}

  /** Returns the headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256 and authorization. */
  async sign(request: RequestToSign, region: string, service: string): Promise<Record<string, string>> {
    const key = `${region}/${service}`;
    let signer = this.#signers.get(key);
    if (signer === undefined) {
      // S3 signs the path as sent; every other service double-escapes it.
      signer = new SignatureV4({ credentials: this.credentials, region, service, sha256: NodeSha256, uriEscapePath: service !== 's3' });
      this.#signers.set(key, signer);
    }
    const host = request.port === undefined ? request.hostname : `${request.hostname}:${request.port}`;
    const headers: Record<string, string> = { ...request.headers, host };
    headers['x-amz-content-sha256'] = createHash('sha256').update(request.body).digest('hex');
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: request.protocol,
        hostname: request.hostname,
        ...(request.port === undefined ? {} : { port: request.port }),
        path: request.path,
        query: request.query,
        headers,
        body: request.body,
      }),
    );
    return signed.headers;
  }
}
