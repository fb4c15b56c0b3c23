/**
 * What every kind of execution environment offers the pool: init once, run one invocation at a
 * time, die on request. The pool owns timeouts, logs and the AWS error shapes; an environment
 * only reports what happened.
 * AWS docs: "Understanding the Lambda execution environment lifecycle" (lambda-runtime-environment.html).
 */

export interface InvocationRequest {
  requestId: string;
  /** The event, JSON text as the caller sent it. */
  payload: Buffer;
  /** Epoch ms at which the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** Client context JSON text (already base64-decoded), or ''. */
  clientContext: string;
  traceId: string;
}

/** The process died: `outOfMemory` when it hit its memory limit. */
export interface ExitOutcome {
  kind: 'exit';
  code: number | null;
  signal: string | null;
  outOfMemory: boolean;
}

export type InitOutcome = { kind: 'ready' } | { kind: 'error'; payload: Buffer; errorType: string } | ExitOutcome;

export type InvocationOutcome =
  | { kind: 'response'; payload: Buffer }
  /** The runtime reported a function error; `fatal` = the environment is going away after it. */
  | { kind: 'error'; payload: Buffer; errorType: string; fatal: boolean }
  /** The event was not JSON (the service would have refused it before any runtime saw it). */
  | { kind: 'invalid-event'; message: string }
  | ExitOutcome;

export interface ExecutionEnvironment {
  readonly logStreamName: string;
  /** Highest resident memory seen, in MB (the REPORT line's Max Memory Used). */
  readonly maxMemoryUsedMb: number;
  /** Starts the process and runs the function's init; settles once. */
  start(): Promise<InitOutcome>;
  /** Never rejects; at most one at a time, only after a `ready` start. */
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
  /** Stops the process for good (SIGKILL, as Lambda does); idempotent. */
  kill(): void;
  /** Lets an idle environment not keep gatehouse's event loop alive. */
  setActive(active: boolean): void;
}

/** Receives every log line an environment writes (one line, no trailing newline). */
export type LineSink = (line: string) => void;

/** Splits a byte stream into lines, keeping a partial last line until its newline comes. */
export class LineSplitter {
  #pending = '';
  readonly #sink: LineSink;

  constructor(sink: LineSink) {
    this.#sink = sink;
  }

  push(text: string): void {
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline === -1) {
      this.#pending += text;
      return;
    }
    let first = true;
    while (newline !== -1) {
      const piece = text.slice(start, newline);
      this.#sink(first ? this.#pending + piece : piece);
      first = false;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#pending = text.slice(start);
  }

  flush(): void {
    if (this.#pending.length > 0) this.#sink(this.#pending);
    this.#pending = '';
  }
}

/** The `errorType` of an error payload, for REPORT / INIT_REPORT lines. */
export function errorTypeOf(payload: Buffer): string {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType : 'Unknown';
  } catch {
    return 'Unknown';
  }
}
