/**
 * The Lambda invoker: finds a function by any name the Invoke API accepts and runs it in its
 * pool of execution environments, synchronously (RequestResponse) or in the background (Event).
 * AWS docs: "Invoke" API reference (API_Invoke.html), "Invoking a Lambda function asynchronously"
 * (invocation-async.html).
 */
import { randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '../definitions/model.js';
import { functionNotFound, LambdaServiceError, unsupportedRuntime } from './errors.js';
import { FunctionPool, type InvokeResult, type NodeIsolation } from './pool.js';
import { parseFunctionRef } from './resolve.js';
import { RemoteLambda, type LambdaTarget, type LambdaTargets } from './remote.js';
import type { CredentialProvider } from '../http/sigv4-signer.js';

export interface LambdaRuntimeOptions {
  awsEndpoint: string;
  region: string;
  accountId: string;
  /** Environments per function when it has no reserved concurrency (default 10). */
  maxConcurrencyDefault?: number;
  /** Every log line of every function; the second argument names the function. */
  logSink?: (line: string, functionName: string) => void;
  /** Stop environments idle this long; default: keep them while gatehouse runs. */
  idleTimeoutMs?: number;
  /** Node.js functions in worker threads (default) or child processes. */
  isolation?: NodeIsolation;
  /** Functions that run on real Lambda or another Lambda endpoint instead of locally. */
  targets?: LambdaTargets;
  /** The credential chain for functions on real Lambda (shared with the services' targets). */
  awsCredentials?: CredentialProvider;
}

export interface InvokeOptions {
  invocationType?: 'RequestResponse' | 'Event';
  /** Base64 JSON, as the Invoke API's X-Amz-Client-Context header carries it. */
  clientContext?: string;
}

/** Payload limits of the Invoke API ("Lambda quotas", gettingstarted-limits.html). */
const MAX_SYNC_REQUEST = 6 * 1024 * 1024;
const MAX_ASYNC_REQUEST = 1024 * 1024;
const EMPTY_EVENT = Buffer.from('{}');
const NO_PAYLOAD = Buffer.alloc(0);

const SUPPORTED_RUNTIME = /^(nodejs\d+\.x|python3\.\d+|provided(\.al2|\.al2023)?)$/;

export class LambdaRuntime {
  readonly #byName = new Map<string, FunctionDefinition>();
  readonly #pools = new Map<string, FunctionPool>();
  /** One client per remote target, for the functions sent there. */
  readonly #remotes = new Map<string, RemoteLambda>();
  readonly #remoteOf = new Map<string, RemoteLambda>();
  readonly #options: LambdaRuntimeOptions;
  #closed = false;

  constructor(functions: FunctionDefinition[], options: LambdaRuntimeOptions) {
    this.#options = options;
    for (const fn of functions) {
      this.#byName.set(fn.name, fn);
      const target = options.targets?.byFunction.get(fn.name) ?? options.targets?.byFunction.get(fn.logicalId) ?? options.targets?.all;
      if (target !== undefined) this.#remoteOf.set(fn.name, this.#remote(target));
    }
  }

  #remote(target: LambdaTarget): RemoteLambda {
    const key = String(target);
    let remote = this.#remotes.get(key);
    if (remote === undefined) {
      remote = new RemoteLambda(target, { region: this.#options.region, ...(this.#options.awsCredentials === undefined ? {} : { credentials: this.#options.awsCredentials }) });
      this.#remotes.set(key, remote);
    }
    return remote;
  }

  has(nameOrArn: string): boolean {
    return this.get(nameOrArn) !== undefined;
  }

  /** Accepts a name, a full or partial ARN, with or without a `:qualifier`. */
  get(nameOrArn: string): FunctionDefinition | undefined {
    const ref = parseFunctionRef(nameOrArn);
    return ref === undefined ? undefined : this.#byName.get(ref.name);
  }

  async invoke(
    nameOrArn: string,
    payload: string | Buffer,
    opts?: InvokeOptions,
  ): Promise<InvokeResult> {
    const ref = parseFunctionRef(nameOrArn);
    const fn = ref === undefined ? undefined : this.#byName.get(ref.name);
    const everywhere = this.#options.targets?.all;
    // `--target lambda=...` sends every function there, those the template does not declare too.
    if (ref !== undefined && fn === undefined && everywhere !== undefined) {
      const event = typeof payload === 'string' ? Buffer.from(payload) : payload;
      return this.#remote(everywhere).invoke(ref.name, ref.qualifier, event.length === 0 ? EMPTY_EVENT : event, {
        async: opts?.invocationType === 'Event',
        clientContext: opts?.clientContext,
      });
    }
    if (ref === undefined || fn === undefined) {
      throw functionNotFound(nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:lambda:${this.#options.region}:${this.#options.accountId}:function:${nameOrArn}`);
    }

    let event = typeof payload === 'string' ? Buffer.from(payload) : payload;
    // An Invoke without a payload hands the function `{}`.
    if (event.length === 0) event = EMPTY_EVENT;
    const async = opts?.invocationType === 'Event';
    const limit = async ? MAX_ASYNC_REQUEST : MAX_SYNC_REQUEST;
    if (event.length > limit) {
      throw new LambdaServiceError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        413,
      );
    }
    const remote = this.#remoteOf.get(fn.name);
    if (remote !== undefined) {
      const result = await remote.invoke(fn.name, ref.qualifier, event, { async, clientContext: opts?.clientContext });
      const sink = this.#options.logSink;
      if (sink !== undefined && result.logTail !== '') for (const line of result.logTail.trimEnd().split('\n')) sink(line, fn.name);
      return result;
    }
    if (!SUPPORTED_RUNTIME.test(fn.runtime)) throw unsupportedRuntime(fn.runtime);
    const invokedArn = ref.qualifier === undefined ? fn.arn : `${fn.arn}:${ref.qualifier}`;
    const clientContext = decodeClientContext(opts?.clientContext);
    const pool = this.#pool(fn);
    const requestId = randomUUID();
    if (!async) return pool.invoke(requestId, event, invokedArn, clientContext);

    // Event: accepted once queued (202); the outcome only shows in the logs.
    pool.invoke(requestId, event, invokedArn, clientContext).catch((error: unknown) => {
      this.#options.logSink?.(`gatehouse: async invocation ${requestId} of ${fn.name} failed: ${(error as Error).message}`, fn.name);
    });
    return { payload: NO_PAYLOAD, functionError: undefined, logTail: '', requestId, durationMs: 0, initDurationMs: undefined };
  }

  /** Execution environments of the function alive now (starting, busy or idle). */
  environments(nameOrArn: string): number {
    const fn = this.get(nameOrArn);
    return fn === undefined ? 0 : (this.#pools.get(fn.name)?.size ?? 0);
  }

  /** Stops every environment; queued and later invocations fail with a ServiceException. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
    await Promise.all([...this.#remotes.values()].map((remote) => remote.close()));
  }

  #pool(fn: FunctionDefinition): FunctionPool {
    let pool = this.#pools.get(fn.name);
    if (pool === undefined) {
      if (this.#closed) throw new LambdaServiceError('ServiceException', 'The Lambda runtime is shutting down', 500);
      pool = new FunctionPool(fn, {
        region: this.#options.region,
        awsEndpoint: this.#options.awsEndpoint,
        maxConcurrency: fn.reservedConcurrency ?? this.#options.maxConcurrencyDefault ?? 10,
        idleTimeoutMs: this.#options.idleTimeoutMs,
        logSink: this.#options.logSink,
        isolation: this.#options.isolation ?? 'thread',
      });
      this.#pools.set(fn.name, pool);
    }
    return pool;
  }
}

/** The Invoke API carries the client context base64-encoded; runtimes receive the JSON text. */
function decodeClientContext(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded.trimStart().startsWith('{') ? decoded : value;
}
