/**
 * Runs executions: STANDARD ones in the background with their history and checkpoints written to
 * SQLite (a restart resumes those still RUNNING from their last top-level state), EXPRESS ones in
 * memory (a bounded recent list answers Describe/GetExecutionHistory); StopExecution, execution
 * TimeoutSeconds and the five-minute Express limit.
 * AWS docs: Step Functions developer guide, "Standard and Express workflow types" (durations,
 * history), "Task workflow state" / "Amazon States Language" (TimeoutSeconds of a state machine);
 * API reference "StartExecution", "StopExecution", "HistoryEvent".
 */
import type { Logger } from '../../core/log.js';
import { asStatesError, StatesError } from './asl/errors.js';
import { ExecutionInterrupted, Interpreter, type Checkpoint, type InterpreterHost, type TaskInvocation } from './asl/interpreter.js';
import type { JsonataEvaluator } from './asl/query.js';
import type { TaskTokens } from './tokens.js';
import type { ExecutionRecord, ExecutionStatus, MachineRecord, StepFunctionsStore, StoredEvent } from './store.js';

/** "Express Workflows ... can run for up to five minutes." */
const EXPRESS_MAX_MS = 5 * 60 * 1000;
/** Recent Express executions kept for Describe / history (they are not durable, as in AWS). */
const EXPRESS_KEPT = 1000;

export interface EngineOptions {
  region: string;
  accountId: string;
  log: Logger;
  now(): number;
  jsonata?: JsonataEvaluator;
}

interface Run {
  record: ExecutionRecord;
  controller: AbortController;
  done: Promise<ExecutionRecord>;
  /** Express: the full history; Standard: the events not yet flushed. */
  events: StoredEvent[];
  checkpoint: string | undefined;
  nextId: number;
}

const json = (value: unknown) => JSON.stringify(value) ?? 'null';

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number };

export class ExecutionEngine {
  readonly #running = new Map<string, Run>();
  readonly #express = new Map<string, { record: ExecutionRecord; events: StoredEvent[] }>();
  #starts: { record: ExecutionRecord; first: StoredEvent; resolve(): void; reject(error: unknown): void }[] = [];
  readonly #dirty = new Set<Run>();
  #writeScheduled = false;
  #invokeTask: (call: TaskInvocation) => Promise<unknown> = async () => {
    throw new StatesError('States.TaskFailed', 'no task router');
  };

  constructor(
    readonly store: StepFunctionsStore,
    readonly tokens: TaskTokens,
    readonly options: EngineOptions,
  ) {}

  readonly #definitions = new Map<string, Definition>();

  /** Definitions are parsed once per distinct text, not once per execution. */
  #parsed(text: string): Definition {
    let definition = this.#definitions.get(text);
    if (definition === undefined) {
      definition = JSON.parse(text) as Definition;
      if (this.#definitions.size > 1000) this.#definitions.clear();
      this.#definitions.set(text, definition);
    }
    return definition;
  }

  setTaskRouter(router: (call: TaskInvocation) => Promise<unknown>): void {
    this.#invokeTask = router;
  }

  /**
   * Starts an execution. A STANDARD one is visible at once (so a second StartExecution of the same
   * name sees it) and resolves once its row and ExecutionStarted are durable; it runs only after that.
   */
  async start(machine: MachineRecord, arn: string, name: string, input: string): Promise<Run> {
    const startMs = this.options.now();
    const record: ExecutionRecord = {
      arn,
      machineArn: machine.arn,
      name,
      type: machine.type,
      status: 'RUNNING',
      input,
      output: null,
      error: null,
      cause: null,
      startMs,
      stopMs: null,
      definition: machine.definition,
      roleArn: machine.roleArn,
      checkpoint: null,
    };
    const started: StoredEvent = {
      id: 1,
      previousEventId: 0,
      timestampMs: startMs,
      type: 'ExecutionStarted',
      details: { input, inputDetails: { truncated: false }, roleArn: machine.roleArn },
    };
    if (machine.type === 'EXPRESS') return this.#launch(record, [started], 2, undefined, Promise.resolve());
    const durable = new Promise<void>((resolve, reject) => {
      this.#starts.push({ record, first: started, resolve, reject });
      this.#scheduleWrite();
    });
    const run = this.#launch(record, [], 2, undefined, durable);
    await durable;
    return run;
  }

  /** STANDARD executions RUNNING when gatehouse stopped continue from their checkpoint. */
  resumeAll(): number {
    const running = this.store.runningExecutions().filter((r) => r.type === 'STANDARD' && !this.#running.has(r.arn));
    for (const record of running) {
      const checkpoint = record.checkpoint === null ? undefined : (JSON.parse(record.checkpoint) as Checkpoint);
      if (checkpoint?.taskToken !== undefined) this.tokens.adopt(checkpoint.taskToken, record.arn);
      this.#launch(record, [], this.store.lastEventId(record.arn) + 1, checkpoint, Promise.resolve());
      this.options.log.info(`stepfunctions: resumed execution ${record.arn}${checkpoint ? ` at state ${checkpoint.state}` : ''}`);
    }
    return running.length;
  }

  #launch(record: ExecutionRecord, events: StoredEvent[], nextId: number, resume: Checkpoint | undefined, durable: Promise<void>): Run {
    const controller = new AbortController();
    const run: Run = { record, controller, done: undefined as unknown as Promise<ExecutionRecord>, events, checkpoint: undefined, nextId };
    this.#running.set(record.arn, run);
    run.done = durable.then(
      () => this.#execute(run, resume),
      (error: unknown) => {
        // Never stored: the execution does not exist.
        this.#running.delete(record.arn);
        throw error;
      },
    );
    run.done.catch(() => {});
    return run;
  }

  #host(run: Run): InterpreterHost {
    const standard = run.record.type === 'STANDARD';
    const host: InterpreterHost = {
      now: this.options.now,
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      record: (type, details, previousEventId) => {
        const id = run.nextId++;
        run.events.push({ id, previousEventId, timestampMs: this.options.now(), type, details });
        if (standard) this.#scheduleFlush(run);
        return id;
      },
      invokeTask: (call) => this.#invokeTask(call),
      newTaskToken: () => this.tokens.issue(run.record.arn),
      waitForTaskToken: (token, options) => this.tokens.wait(token, options),
      ...(this.options.jsonata !== undefined ? { jsonata: this.options.jsonata } : {}),
    };
    if (standard) {
      host.checkpoint = (checkpoint) => {
        run.checkpoint = JSON.stringify(checkpoint);
        this.#scheduleFlush(run);
      };
    }
    return host;
  }

  #scheduleFlush(run: Run): void {
    this.#dirty.add(run);
    this.#scheduleWrite();
  }

  /** What the executions of one event-loop turn wrote goes to disk in one transaction (one fsync). */
  #scheduleWrite(): void {
    if (this.#writeScheduled) return;
    this.#writeScheduled = true;
    setImmediate(() => this.#write());
  }

  #write(): void {
    this.#writeScheduled = false;
    const starts = this.#starts;
    this.#starts = [];
    const flushes = [...this.#dirty]
      .filter((run) => run.record.status === 'RUNNING' && (run.events.length > 0 || run.checkpoint !== undefined))
      .map((run) => ({ run, arn: run.record.arn, events: run.events, checkpoint: run.checkpoint }));
    this.#dirty.clear();
    for (const f of flushes) {
      f.run.events = [];
      f.run.checkpoint = undefined;
    }
    if (starts.length === 0 && flushes.length === 0) return;
    try {
      this.store.writeGroup(
        starts.map(({ record, first }) => ({ record, first })),
        flushes,
      );
    } catch (error) {
      this.options.log.error(`stepfunctions: cannot store executions: ${(error as Error).message}`);
      for (const start of starts) start.reject(error);
      return;
    }
    for (const start of starts) start.resolve();
  }

  async #execute(run: Run, resume: Checkpoint | undefined): Promise<ExecutionRecord> {
    const { record, controller } = run;
    const definition = this.#parsed(record.definition);
    const machineName = record.machineArn.slice(record.machineArn.lastIndexOf(':') + 1);
    const input: unknown = JSON.parse(record.input);
    const interpreter = new Interpreter(definition as never, this.#host(run), {
      id: record.arn,
      name: record.name,
      input,
      startTime: new Date(record.startMs).toISOString(),
      roleArn: record.roleArn,
      stateMachine: { id: record.machineArn, name: machineName },
      region: this.options.region,
    });
    let limitMs = typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds * 1000 : undefined;
    if (record.type === 'EXPRESS') limitMs = Math.min(limitMs ?? EXPRESS_MAX_MS, EXPRESS_MAX_MS);
    const remaining = limitMs === undefined ? undefined : record.startMs + limitMs - this.options.now();
    const timer = remaining === undefined ? undefined : setTimeout(() => controller.abort(new ExecutionInterrupted('timed-out')), Math.max(0, remaining));
    // Yield once so StartExecution answers before the first state runs.
    await new Promise((resolve) => setImmediate(resolve));
    let end: { status: ExecutionStatus; output: string | null; error: string | null; cause: string | null; event: string; details: Record<string, unknown> } | undefined;
    try {
      const output = await interpreter.run(input, controller.signal, { ...(resume !== undefined ? { resume } : {}), lastEvent: run.nextId - 1 });
      const text = json(output);
      end = { status: 'SUCCEEDED', output: text, error: null, cause: null, event: 'ExecutionSucceeded', details: { output: text, outputDetails: { truncated: false } } };
    } catch (caught) {
      // Once the run is interrupted, whatever a state threw on its way out is not the outcome.
      const thrown: unknown = controller.signal.aborted ? controller.signal.reason : caught;
      if (thrown instanceof ExecutionInterrupted) {
        if (thrown.kind === 'timed-out') {
          const cause = `The execution timed out after ${Math.round((limitMs ?? 0) / 1000)} seconds`;
          end = { status: 'TIMED_OUT', output: null, error: 'States.Timeout', cause, event: 'ExecutionTimedOut', details: { error: 'States.Timeout', cause } };
        }
        // 'aborted' was finished by stop(); 'shutdown' stays RUNNING to resume at the next start.
      } else {
        const error = asStatesError(thrown);
        if (!(thrown instanceof StatesError)) this.options.log.error(`stepfunctions: ${record.arn}: ${(thrown as Error).stack ?? String(thrown)}`);
        end = { status: 'FAILED', output: null, error: error.error, cause: error.cause ?? null, event: 'ExecutionFailed', details: { error: error.error, ...(error.cause !== undefined ? { cause: error.cause } : {}) } };
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (end !== undefined) this.#finish(run, end);
    else if (controller.signal.reason instanceof ExecutionInterrupted && controller.signal.reason.kind === 'shutdown') this.#write();
    this.#running.delete(record.arn);
    this.tokens.release(record.arn);
    return run.record;
  }

  #finish(run: Run, end: { status: ExecutionStatus; output: string | null; error: string | null; cause: string | null; event: string; details: Record<string, unknown> }): boolean {
    const record = run.record;
    if (record.status !== 'RUNNING') return false;
    const stopMs = this.options.now();
    const last = run.events.length > 0 ? run.events[run.events.length - 1]!.id : run.nextId - 1;
    run.events.push({ id: run.nextId++, previousEventId: last, timestampMs: stopMs, type: end.event, details: end.details });
    if (record.type === 'STANDARD') {
      this.#dirty.delete(run);
      const changed = this.store.finishExecution(record.arn, run.events, { status: end.status, output: end.output, error: end.error, cause: end.cause, stopMs });
      run.events = [];
      if (!changed) return false;
    }
    Object.assign(record, { status: end.status, output: end.output, error: end.error, cause: end.cause, stopMs, checkpoint: null });
    if (record.type === 'EXPRESS') {
      this.#express.set(record.arn, { record, events: run.events });
      if (this.#express.size > EXPRESS_KEPT) this.#express.delete(this.#express.keys().next().value!);
    }
    return true;
  }

  /** StopExecution: ABORTED at once (durable before the answer), then the run is interrupted. */
  stop(arn: string, error: string | undefined, cause: string | undefined): boolean {
    const run = this.#running.get(arn);
    if (run === undefined) return false;
    const details: Record<string, unknown> = {};
    if (error !== undefined) details['error'] = error;
    if (cause !== undefined) details['cause'] = cause;
    const stopped = this.#finish(run, { status: 'ABORTED', output: null, error: error ?? null, cause: cause ?? null, event: 'ExecutionAborted', details });
    run.controller.abort(new ExecutionInterrupted('aborted'));
    return stopped;
  }

  /** A running execution's record, an express one kept in memory, or a stored one. */
  get(arn: string): ExecutionRecord | undefined {
    return this.#running.get(arn)?.record ?? this.#express.get(arn)?.record ?? this.store.getExecution(arn);
  }

  history(arn: string): StoredEvent[] {
    const run = this.#running.get(arn);
    if (run !== undefined && run.record.type === 'EXPRESS') return [...run.events];
    const express = this.#express.get(arn);
    if (express !== undefined) return express.events;
    const stored = this.store.history(arn);
    // Events of this tick not yet flushed are part of the history too.
    return run === undefined ? stored : [...stored, ...run.events];
  }

  /** Waits for an execution to end (a `.sync` parent, StartSyncExecution). */
  async finished(arn: string, signal?: AbortSignal): Promise<ExecutionRecord | undefined> {
    const run = this.#running.get(arn);
    if (run === undefined) return this.get(arn);
    if (signal === undefined) return run.done;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      run.done.then(
        (r) => (signal.removeEventListener('abort', onAbort), resolve(r)),
        (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
      );
    });
  }

  /** Interrupts every run without finishing it: STANDARD ones resume at the next start. */
  async close(): Promise<void> {
    const runs = [...this.#running.values()];
    for (const run of runs) run.controller.abort(new ExecutionInterrupted('shutdown'));
    await Promise.allSettled(runs.map((r) => r.done));
    this.#write();
  }
}
