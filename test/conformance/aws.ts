// Runs `aws:` steps through AWS SDK v3 clients (loaded on demand) against gatehouse's AWS endpoint.

import { CaseFormatError } from './errors.js';
import { importOptional } from './optional-import.js';
import { REGION } from './placeholders.js';

interface ServiceInfo {
  pkg: string;
  client: string;
  config?: Record<string, unknown>;
}

// Service names a case may use -> the v3 client package and its client class.
const SERVICES: Record<string, ServiceInfo> = {
  dynamodb: { pkg: '@aws-sdk/client-dynamodb', client: 'DynamoDBClient' },
  s3: { pkg: '@aws-sdk/client-s3', client: 'S3Client', config: { forcePathStyle: true } },
  // Always talk to gatehouse's endpoint, whatever host the QueueUrl names (the SDK would follow it).
  sqs: { pkg: '@aws-sdk/client-sqs', client: 'SQSClient', config: { useQueueUrlAsEndpoint: false } },
  sns: { pkg: '@aws-sdk/client-sns', client: 'SNSClient' },
  kinesis: { pkg: '@aws-sdk/client-kinesis', client: 'KinesisClient' },
  sfn: { pkg: '@aws-sdk/client-sfn', client: 'SFNClient' },
  stepfunctions: { pkg: '@aws-sdk/client-sfn', client: 'SFNClient' },
  lambda: { pkg: '@aws-sdk/client-lambda', client: 'LambdaClient' },
};

export const AWS_PACKAGES = [...new Set(Object.values(SERVICES).map((s) => s.pkg))];

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy(): void;
}
type SdkModule = Record<string, unknown>;

/** The part of an SDK error a case can match with `expect.error`. */
export interface AwsErrorShape {
  name: string;
  message: string;
  statusCode?: number;
  fault?: string;
}

export function errorShape(err: unknown): AwsErrorShape {
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown }; $fault?: unknown };
  const shape: AwsErrorShape = { name: String(e?.name ?? 'Error'), message: String(e?.message ?? err) };
  if (typeof e?.$metadata?.httpStatusCode === 'number') shape.statusCode = e.$metadata.httpStatusCode;
  if (typeof e?.$fault === 'string') shape.fault = e.$fault;
  return shape;
}

/** One client per service, made on first use, all aimed at http://127.0.0.1:<awsPort>. */
export class AwsClients {
  private readonly clients = new Map<string, Promise<{ client: SdkClient; mod: SdkModule }>>();

  constructor(private readonly endpoint: string) {}

  private client(service: string): Promise<{ client: SdkClient; mod: SdkModule }> {
    const key = service.toLowerCase();
    const info = SERVICES[key];
    if (!info) throw new CaseFormatError(`aws service "${service}" is not one of ${Object.keys(SERVICES).join(', ')}`);
    let entry = this.clients.get(info.pkg);
    if (!entry) {
      entry = (async () => {
        const mod = await importOptional<SdkModule>(info.pkg, `aws: ${service} steps`);
        const Client = mod[info.client] as (new (config: Record<string, unknown>) => SdkClient) | undefined;
        if (typeof Client !== 'function') throw new Error(`${info.pkg} has no ${info.client}`);
        const client = new Client({
          region: REGION,
          endpoint: this.endpoint,
          credentials: { accessKeyId: 'conformance', secretAccessKey: 'conformance' },
          // One attempt: a retried call would hide what gatehouse answered first.
          maxAttempts: 1,
          // The runner only sets up and inspects state; it does not test checksum support.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          ...info.config,
        });
        return { client, mod };
      })();
      this.clients.set(info.pkg, entry);
      // A failed import must not stay cached as a rejected promise without a handler.
      entry.catch(() => this.clients.delete(info.pkg));
    }
    return entry;
  }

  /** Sends `<action>Command` with `params`; resolves with the raw SDK output, rejects with the SDK error. */
  async send(service: string, action: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const { client, mod } = await this.client(service);
    const Command = mod[`${action}Command`] as (new (input: unknown) => unknown) | undefined;
    if (typeof Command !== 'function') throw new CaseFormatError(`aws ${service}: unknown action "${action}"`);
    return client.send(new Command(params ?? {}), signal ? { abortSignal: signal } : {});
  }

  async destroy(): Promise<void> {
    for (const entry of this.clients.values()) {
      try {
        (await entry).client.destroy();
      } catch {
        // Nothing to close for a client that never loaded.
      }
    }
    this.clients.clear();
  }
}

async function readStream(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Makes SDK output comparable as JSON: drops `$metadata` and undefined values, byte arrays become
 * UTF-8 text, streams (S3 Body) are read as text, dates become ISO strings.
 */
export async function normaliseOutput(value: unknown, top = true): Promise<unknown> {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return Number(value);
    return typeof value === 'function' ? undefined : value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (value instanceof Date) return value.toISOString();
  const v = value as Record<string | symbol, unknown>;
  if (typeof v['transformToString'] === 'function') return (v['transformToString'] as () => Promise<string>).call(value);
  if (typeof v[Symbol.asyncIterator] === 'function') return readStream(value as AsyncIterable<unknown>);
  if (typeof v['getReader'] === 'function' || typeof v['arrayBuffer'] === 'function') {
    // A web ReadableStream or Blob: Response reads either.
    return new Response(value as ReadableStream).text();
  }
  if (Array.isArray(value)) return Promise.all(value.map((item) => normaliseOutput(item, false)));
  if (value instanceof Set) return Promise.all([...value].map((item) => normaliseOutput(item, false)));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (top && key === '$metadata') continue;
    const normalised = await normaliseOutput(item, false);
    if (normalised !== undefined) out[key] = normalised;
  }
  return out;
}
