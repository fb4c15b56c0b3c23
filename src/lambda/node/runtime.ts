/**
 * The Node.js runtime inside one execution environment: loads the handler once, then runs
 * invocations one at a time, exchanging frames (protocol.ts) with gatehouse over a channel that
 * the entry point provides (a worker thread's port, or fd 3 of a child process).
 * AWS docs: "Using the Lambda context object to retrieve Node.js function information"
 * (nodejs-context.html), "Log and monitor Node.js Lambda functions" (nodejs-logging.html),
 * "Lambda function errors in Node.js" (nodejs-exceptions.html).
 */
import util from 'node:util';
import { encodeFrame, Frame, FrameDecoder, type FrameType } from '../protocol.js';
import { formatted, runtimeError, safeStringify, toErrorBody } from './errors.js';
import { loadHandler, type Handler } from './handler.js';

/** How frames travel between this runtime and gatehouse. */
export interface RuntimeChannel {
  /** Sends bytes holding whole frames; `onFlushed` runs once they have left. */
  write(data: Buffer, onFlushed?: () => void): void;
  /** Last-chance synchronous send while the environment exits; may drop data. */
  writeSync(data: Buffer): void;
  onData(listener: (chunk: Buffer) => void): void;
  /**
   * The environment has nothing to do until gatehouse sends the next frame. A channel may block
   * here (the environment is frozen meanwhile, as Lambda freezes it between invocations), then
   * hand what arrived to the onData listener.
   */
  idle?(): void;
  /** The channel alone must not keep the environment alive while waiting for an empty event loop. */
  ref(): void;
  unref(): void;
  /** Bytes of memory the environment uses (reported in REPORT lines, checked against MemorySize). */
  memoryBytes(): number;
}

export async function runRuntime(channel: RuntimeChannel): Promise<void> {
  // Outgoing frames are batched: every write wakes gatehouse, so log lines wait for the end of the
  // tick, or leave together with the result they precede.
  const outbox: Buffer[] = [];
  let flushScheduled = false;

  function post(type: FrameType, meta: string, payload: Buffer | string): void {
    outbox.push(encodeFrame(type, meta, payload));
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  function postNow(type: FrameType, meta: string, payload: Buffer | string, onFlushed?: () => void): void {
    outbox.push(encodeFrame(type, meta, payload));
    flush(onFlushed);
  }

  function flush(onFlushed?: () => void): void {
    flushScheduled = false;
    if (outbox.length === 0) {
      onFlushed?.();
      return;
    }
    const data = outbox.length === 1 ? outbox[0]! : Buffer.concat(outbox);
    outbox.length = 0;
    channel.write(data, onFlushed);
  }

  // process.exit() from the function: log lines still queued go out synchronously.
  process.on('exit', () => {
    if (outbox.length > 0) channel.writeSync(Buffer.concat(outbox));
  });

  const env = process.env;
  // A worker thread does not read NODE_OPTIONS; source maps (esbuild's Sourcemap: true) are switched on here.
  if (env['NODE_OPTIONS']?.includes('--enable-source-maps')) process.setSourceMapsEnabled(true);
  let currentRequestId: string | undefined;
  let invoking = false;
  let initialised = false;

  // ---- logs: console lines as the Node runtime formats them, sent in order with the results ----

  function logLine(level: string, args: unknown[]): void {
    // Lambda turns newlines into \r so one console call stays one log event.
    const message = util.format(...args).replaceAll('\n', '\r');
    post(Frame.Log, '', `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
  }
  console.log = (...args: unknown[]) => logLine('INFO', args);
  console.info = (...args: unknown[]) => logLine('INFO', args);
  console.debug = (...args: unknown[]) => logLine('DEBUG', args);
  console.warn = (...args: unknown[]) => logLine('WARN', args);
  console.error = (...args: unknown[]) => logLine('ERROR', args);
  console.trace = (...args: unknown[]) => logLine('TRACE', args);

  function rawWrite(chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array);
    post(Frame.Log, '', text);
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }
  process.stdout.write = rawWrite as typeof process.stdout.write;
  process.stderr.write = rawWrite as typeof process.stderr.write;

  // ---- the context object ----

  // Read once: every process.env access is a call into node's environment store.
  const functionName = env['AWS_LAMBDA_FUNCTION_NAME'];
  const functionVersion = env['AWS_LAMBDA_FUNCTION_VERSION'];
  const memoryLimitInMB = env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'];
  const logGroupName = env['AWS_LAMBDA_LOG_GROUP_NAME'];
  const logStreamName = env['AWS_LAMBDA_LOG_STREAM_NAME'];

  class InvokeContext {
    callbackWaitsForEmptyEventLoop = true;
    readonly functionName = functionName;
    readonly functionVersion = functionVersion;
    readonly invokedFunctionArn: string;
    readonly memoryLimitInMB = memoryLimitInMB;
    readonly awsRequestId: string;
    readonly logGroupName = logGroupName;
    readonly logStreamName = logStreamName;
    readonly identity: unknown = undefined;
    readonly clientContext: unknown;
    readonly #deadlineMs: number;
    readonly #done: (err: unknown, result: unknown, viaCallback: boolean) => void;

    constructor(requestId: string, arn: string, deadlineMs: number, clientContext: unknown, done: (err: unknown, result: unknown, viaCallback: boolean) => void) {
      this.awsRequestId = requestId;
      this.invokedFunctionArn = arn;
      this.#deadlineMs = deadlineMs;
      this.clientContext = clientContext;
      this.#done = done;
    }

    getRemainingTimeInMillis(): number {
      return this.#deadlineMs - Date.now();
    }

    // Legacy completion methods, kept by the Node runtime.
    done(err?: unknown, result?: unknown): void {
      this.#done(err, result, false);
    }
    succeed(result?: unknown): void {
      this.#done(null, result, false);
    }
    fail(err?: unknown): void {
      this.#done(err ?? 'handled', undefined, false);
    }
  }

  // ---- invocations ----

  let afterEmptyLoop: (() => void) | null = null;

  // Lambda's "wait for the event loop to be empty" (callbackWaitsForEmptyEventLoop): the channel is
  // unref'd meanwhile so that beforeExit fires exactly when the function's own work is done.
  process.on('beforeExit', () => {
    const next = afterEmptyLoop;
    if (next === null) return;
    afterEmptyLoop = null;
    channel.ref();
    next();
  });

  function whenEventLoopEmpty(fn: () => void): void {
    afterEmptyLoop = fn;
    channel.unref();
  }

  function cancelEventLoopWait(): void {
    if (afterEmptyLoop === null) return;
    afterEmptyLoop = null;
    channel.ref();
  }

  // Reading memory can cost a /proc read (~20 us here): sample it at most every 50 ms, and always after init.
  let rssText = String(channel.memoryBytes());
  let rssAt = 0;
  function rss(): string {
    const now = Date.now();
    if (now - rssAt >= 50) {
      rssAt = now;
      rssText = String(channel.memoryBytes());
    }
    return rssText;
  }

  function sendError(error: unknown, fatal: boolean, onFlushed?: () => void): void {
    postNow(Frame.Error, `${rss()}\0${fatal ? '1' : '0'}`, safeStringify(toErrorBody(error)), onFlushed);
  }

  /** The invocation failed (the function's error, or its result could not be sent): the environment stays. */
  function invokeError(error: unknown, logged: Error): void {
    console.error('Invoke Error', formatted(logged));
    invoking = false;
    sendError(error, false);
    channel.idle?.();
  }

  function runInvocation(handler: Handler, meta: string, payload: Buffer): void {
    const [requestId = '', deadline = '0', arn = '', clientContextText = '', traceId = ''] = meta.split('\0');
    let event: unknown;
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      postNow(Frame.InvalidEvent, '', (error as Error).message);
      channel.idle?.();
      return;
    }
    let clientContext: unknown;
    if (clientContextText !== '') {
      try {
        clientContext = JSON.parse(clientContextText);
      } catch {
        clientContext = undefined;
      }
    }
    currentRequestId = requestId;
    invoking = true;
    env['_X_AMZN_TRACE_ID'] = traceId;

    let finished = false;
    const finish = (err: unknown, result: unknown, viaCallback: boolean): void => {
      if (finished) return;
      finished = true;
      cancelEventLoopWait();
      if (err !== undefined && err !== null) {
        invokeError(err, err instanceof Error ? err : new Error(String(err)));
        return;
      }
      let body: string;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (error) {
        const failure = runtimeError('Runtime.JSONStringifyError', 'Unable to stringify response body', error);
        invokeError(failure, failure);
        return;
      }
      const send = (): void => {
        invoking = false;
        postNow(Frame.Result, rss(), body);
        channel.idle?.();
      };
      if (viaCallback && context.callbackWaitsForEmptyEventLoop) whenEventLoopEmpty(send);
      else send();
    };

    const context = new InvokeContext(requestId, arn, Number(deadline), clientContext, finish);
    const callback = (err?: unknown, result?: unknown): void => finish(err, result, true);
    try {
      const returned = handler(event, context, callback);
      if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
        (returned as PromiseLike<unknown>).then(
          (result) => finish(null, result, false),
          (error: unknown) => finish(error ?? 'handled', undefined, false),
        );
      } else if (!finished) {
        // No promise and no callback yet: if the event loop empties first, the response is null
        // (a synchronous handler's return value is ignored, as in the Node runtime).
        whenEventLoopEmpty(() => finish(null, null, false));
      }
    } catch (error) {
      finish(error, undefined, false);
    }
  }

  // ---- process-level failures: reported, then the environment exits (and gatehouse replaces it) ----

  process.on('uncaughtException', (error) => {
    console.error('Uncaught Exception', formatted(error));
    fail(error, 129);
  });

  process.on('unhandledRejection', (reason) => {
    const error = runtimeError('Runtime.UnhandledPromiseRejection', String(reason));
    console.error('Unhandled Promise Rejection', formatted(error));
    fail(error, 128);
  });

  let failing = false;
  function fail(error: unknown, exitCode: number): void {
    if (failing) return;
    failing = true;
    const exit = (): never => process.exit(exitCode);
    setTimeout(exit, 1000).unref();
    if (!initialised) postNow(Frame.InitError, '', safeStringify(toErrorBody(error)), exit);
    else if (invoking) sendError(error, true, exit);
    else flush(exit);
  }

  // ---- init ----

  const handler = await loadHandler(env['LAMBDA_TASK_ROOT'] ?? process.cwd(), env['_HANDLER'] ?? '').catch((error: unknown) => {
    console.error('Uncaught Exception', formatted(error));
    fail(error, 129);
    return new Promise<never>(() => {});
  });
  // Rejections left unhandled by the module's own evaluation surface now, as init errors.
  await new Promise((resolve) => setImmediate(resolve));
  initialised = true;
  const decoder = new FrameDecoder((type, meta, payload) => {
    if (type === Frame.Invoke) runInvocation(handler, meta, payload);
  });
  channel.onData((chunk) => decoder.push(chunk));
  postNow(Frame.Ready, rss(), '');
  channel.idle?.();
}
