/**
 * Functions that run somewhere else: real Lambda (`--target lambda=aws`) or any endpoint that
 * speaks the Lambda Invoke API (`--target lambda=<url>`, e.g. another gatehouse). Requests to AWS
 * are SigV4-signed with the standard credential chain (http/aws-credentials.ts), the region from
 * AWS_REGION / AWS_DEFAULT_REGION, and the endpoint from AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL
 * when set (the SDKs' endpoint overrides); an endpoint URL gets the environment's keys or local ones.
 * AWS docs: Lambda API reference "Invoke" (API_Invoke.html); "Service-specific endpoints"
 * (AWS SDKs and Tools reference guide, feature-ss-endpoints.html).
 */
import { randomUUID } from 'node:crypto';
import { HttpClient, UpstreamError } from '../http/client.js';
import { environmentCredentials, standardCredentials } from '../http/aws-credentials.js';
import { SigV4Signer, type CredentialProvider } from '../http/sigv4-signer.js';
import { LambdaServiceError } from './errors.js';
import type { InvokeResult } from './pool.js';

/** `aws` or the URL of a Lambda-compatible endpoint. */
export type LambdaTarget = 'aws' | URL;

export interface LambdaTargets {
  /** Every function not named in `byFunction`; undefined = run locally. */
  all?: LambdaTarget;
  /** By function name or logical id. */
  byFunction: Map<string, LambdaTarget>;
}

/**
 * `--target` values that concern Lambda: `lambda=aws`, `lambda=<url>`, `lambda:<function>=aws|<url>`.
 * Throws on a malformed value or another service (only Lambda can be targeted so far).
 */
export function parseLambdaTargets(values: string[]): LambdaTargets {
  const targets: LambdaTargets = { byFunction: new Map() };
  for (const value of values) {
    const match = /^lambda(?::([^=]+))?=(.+)$/.exec(value);
    if (match === null) throw new Error(`--target ${value}: expected lambda=aws, lambda=<endpoint URL> or lambda:<function>=aws|<endpoint URL>`);
    const [, name, where] = match as unknown as [string, string | undefined, string];
    let target: LambdaTarget;
    if (where === 'aws') target = 'aws';
    else {
      try {
        target = new URL(where);
      } catch {
        throw new Error(`--target ${value}: ${where} is neither aws nor a URL`);
      }
    }
    if (name === undefined) targets.all = target;
    else targets.byFunction.set(name, target);
  }
  return targets;
}

/** True when a function is sent to real AWS (the credential chain is then needed). */
export function lambdaTargetsAws(targets: LambdaTargets | undefined): boolean {
  return targets !== undefined && (targets.all === 'aws' || [...targets.byFunction.values()].includes('aws'));
}

export interface RemoteSettings {
  region: string;
  env?: NodeJS.ProcessEnv;
  /** The standard chain gatehouse resolved at start (a fresh one otherwise). */
  credentials?: CredentialProvider;
}

/** Invokes functions on one target; one keep-alive connection pool for all of them. */
export class RemoteLambda {
  readonly #endpoint: URL;
  readonly #region: string;
  readonly #signer: SigV4Signer;
  readonly #http = new HttpClient();

  constructor(target: LambdaTarget, settings: RemoteSettings) {
    const env = settings.env ?? process.env;
    this.#region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? settings.region;
    const override = env['AWS_ENDPOINT_URL_LAMBDA'] ?? env['AWS_ENDPOINT_URL'];
    this.#endpoint = target === 'aws' ? new URL(override ?? `https://lambda.${this.#region}.amazonaws.com`) : target;
    this.#signer = new SigV4Signer(target === 'aws' ? (settings.credentials ?? standardCredentials()) : environmentCredentials(env));
  }

  async invoke(functionName: string, qualifier: string | undefined, payload: Buffer, options: { async: boolean; clientContext?: string | undefined }): Promise<InvokeResult> {
    const url = this.#endpoint;
    const path = `${url.pathname.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
    const query: Record<string, string> = qualifier === undefined ? {} : { Qualifier: qualifier };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-invocation-type': options.async ? 'Event' : 'RequestResponse',
    };
    // The last 4 KB of the function's log come back with a synchronous call, for gatehouse's own log.
    if (!options.async) headers['x-amz-log-type'] = 'Tail';
    if (options.clientContext) headers['x-amz-client-context'] = options.clientContext;
    const signed = await this.#signer.sign(
      { method: 'POST', protocol: url.protocol, hostname: url.hostname, ...(url.port === '' ? {} : { port: Number(url.port) }), path, query, headers, body: payload },
      this.#region,
      'lambda',
    );
    const started = performance.now();
    let response;
    try {
      response = await this.#http.request({
        origin: url.origin,
        path: qualifier === undefined ? path : `${path}?Qualifier=${encodeURIComponent(qualifier)}`,
        method: 'POST',
        headers: Object.entries(signed),
        body: payload,
        // Lambda's longest timeout (15 min) plus slack; the caller's own limits are shorter.
        timeoutMs: 905_000,
      });
    } catch (error) {
      const reason = error instanceof UpstreamError ? error.message : String(error);
      throw new LambdaServiceError('ServiceException', `Lambda at ${url.origin} did not answer: ${reason}`, 502);
    }
    const header = (name: string): string | undefined => response.rawHeaders.find(([key]) => key.toLowerCase() === name)?.[1];
    if (response.statusCode >= 300) throw serviceError(response.statusCode, header('x-amzn-errortype'), response.body);
    const functionError = header('x-amz-function-error');
    const log = header('x-amz-log-result');
    return {
      payload: response.body,
      functionError: functionError === 'Handled' || functionError === 'Unhandled' ? functionError : undefined,
      logTail: log === undefined ? '' : Buffer.from(log, 'base64').toString('utf8'),
      requestId: header('x-amzn-requestid') ?? randomUUID(),
      durationMs: performance.now() - started,
    };
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** Lambda's REST-JSON error: the code in x-amzn-ErrorType (`Code:extra` or `ns#Code`), the message in the body. */
function serviceError(status: number, errorType: string | undefined, body: Buffer): LambdaServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Not JSON: the text is the message.
  }
  const raw = errorType ?? String(parsed['__type'] ?? 'ServiceException');
  const code = raw.slice(raw.lastIndexOf('#') + 1).split(':')[0]!;
  const message = String(parsed['message'] ?? parsed['Message'] ?? body.toString('utf8'));
  return new LambdaServiceError(code, message, status);
}
