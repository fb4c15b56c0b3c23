/**
 * Test support for the interpreter: an in-memory host (history, fake Task resources, instant timers,
 * task tokens completed by the test) and a one-call `execute`.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from './errors.js';
import { ExecutionInterrupted, Interpreter, type Checkpoint, type InterpreterHost, type TaskInvocation } from './interpreter.js';
import type { JsonataEvaluator } from './query.js';

export interface RecordedEvent {
  id: number;
  previousEventId: number;
  type: string;
  details: Record<string, unknown> | undefined;
}

export type FakeTask = (parameters: unknown, call: TaskInvocation) => unknown;

export interface TestHost {
  host: InterpreterHost;
  events: RecordedEvent[];
  /** Milliseconds each sleep asked for (timers are instant unless `realTimers`). */
  sleeps: number[];
  checkpoints: Checkpoint[];
  /** Task tokens issued, in order. */
  tokens: string[];
  complete(token: string, output: unknown): void;
  fail(token: string, error: string, cause: string): void;
  heartbeat(token: string): void;
}

export function testHost(options: { tasks?: Record<string, FakeTask>; realTimers?: boolean; jsonata?: JsonataEvaluator; now?: () => number } = {}): TestHost {
  const events: RecordedEvent[] = [];
  const sleeps: number[] = [];
  const checkpoints: Checkpoint[] = [];
  const tokens: string[] = [];
  const waiting = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void; beat(): void }>();
  const early = new Map<string, { output?: unknown; error?: StatesError }>();
  const host: InterpreterHost = {
    now: options.now ?? (() => Date.now()),
    sleep(ms, signal) {
      sleeps.push(ms);
      if (!options.realTimers) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
    },
    record(type, details, previousEventId) {
      const id = events.length + 1;
      events.push({ id, previousEventId, type, details });
      return id;
    },
    async invokeTask(call) {
      const task = options.tasks?.[call.resource];
      if (task === undefined) throw new StatesError('States.TaskFailed', `no fake task for ${call.resource}`);
      return task(call.parameters, call);
    },
    newTaskToken() {
      const token = randomUUID();
      tokens.push(token);
      return token;
    },
    waitForTaskToken(token, { heartbeatSeconds, signal }) {
      const done = early.get(token);
      if (done !== undefined) return done.error ? Promise.reject(done.error) : Promise.resolve(done.output);
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
          if (timer !== undefined) clearTimeout(timer);
          if (heartbeatSeconds !== undefined) timer = setTimeout(() => reject(new StatesError('States.HeartbeatTimeout', '')), heartbeatSeconds * 1000);
        };
        arm();
        const settle = () => {
          if (timer !== undefined) clearTimeout(timer);
          waiting.delete(token);
        };
        waiting.set(token, {
          resolve: (v) => (settle(), resolve(v)),
          reject: (e) => (settle(), reject(e)),
          beat: arm,
        });
        signal.addEventListener('abort', () => (settle(), reject(signal.reason)), { once: true });
      });
    },
    checkpoint: (c) => checkpoints.push(c),
    ...(options.jsonata !== undefined ? { jsonata: options.jsonata } : {}),
  };
  return {
    host,
    events,
    sleeps,
    checkpoints,
    tokens,
    complete(token, output) {
      const w = waiting.get(token);
      if (w === undefined) early.set(token, { output });
      else w.resolve(output);
    },
    fail(token, error, cause) {
      const w = waiting.get(token);
      const e = new StatesError(error, cause);
      if (w === undefined) early.set(token, { error: e });
      else w.reject(e);
    },
    heartbeat(token) {
      waiting.get(token)?.beat();
    },
  };
}

export interface TestResult {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: RecordedEvent[];
  types: string[];
  sleeps: number[];
  test: TestHost;
}

/** Runs `definition` on `input` with a test host; never rejects. */
export async function execute(
  definition: Record<string, unknown>,
  input: unknown,
  options: Parameters<typeof testHost>[0] & { signal?: AbortSignal; test?: TestHost; checkpoint?: Checkpoint } = {},
): Promise<TestResult> {
  const test = options.test ?? testHost(options);
  const interpreter = new Interpreter(definition as never, test.host, {
    id: 'arn:aws:states:us-east-1:000000000000:execution:Machine:run-1',
    name: 'run-1',
    input,
    startTime: '2024-01-01T00:00:00.000Z',
    roleArn: 'arn:aws:iam::000000000000:role/test',
    stateMachine: { id: 'arn:aws:states:us-east-1:000000000000:stateMachine:Machine', name: 'Machine' },
    region: 'us-east-1',
  });
  const base = () => ({ events: test.events, types: test.events.map((e) => e.type), sleeps: test.sleeps, test });
  try {
    const output = await interpreter.run(input, options.signal ?? new AbortController().signal, options.checkpoint ? { resume: options.checkpoint } : {});
    return { status: 'SUCCEEDED', output, ...base() };
  } catch (error) {
    if (error instanceof ExecutionInterrupted) return { status: 'ABORTED', ...base() };
    if (error instanceof StatesError) return { status: 'FAILED', error: error.error, cause: error.cause, ...base() };
    throw error;
  }
}
