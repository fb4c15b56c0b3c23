/**
 * The States Language interpreter: runs a state machine's states from StartAt to a terminal state,
 * with Retry and Catch, the context object, workflow variables and history events named as Step
 * Functions names them. Task work, timers, task tokens and history storage belong to the host.
 * AWS docs: Amazon States Language specification ("States", "Transitions", "Errors", "Context Object");
 * Step Functions developer guide, "Handling errors in Step Functions workflows", "Accessing execution
 * data from the Context object", and API reference "HistoryEvent".
 */
import { asStatesError, errorMatches, errorOutputOf, States, StatesError } from './errors.js';
import { applyResultPath, Variables, type Scope } from './payload.js';
import { Query, type JsonataEvaluator, type QueryLanguage, type StateDef, type StatesBinding } from './query.js';
import { runChoice, runFail, runPass, runSucceed, runWait } from './flow-states.js';
import { runTask } from './task-state.js';
import { runMap, runParallel } from './parallel-map.js';

export interface ExecutionInfo {
  /** Execution ARN. */
  id: string;
  name: string;
  input: unknown;
  /** ISO 8601. */
  startTime: string;
  roleArn: string;
  stateMachine: { id: string; name: string };
  region: string;
}

export interface TaskInvocation {
  resource: string;
  parameters: unknown;
  stateName: string;
  taskToken?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  signal: AbortSignal;
  execution: ExecutionInfo;
}

/** Where a top-level execution stands, saved before each top-level state so a restart can resume it. */
export interface Checkpoint {
  state: string;
  input: unknown;
  variables: Record<string, unknown>;
  /** Epoch ms a Wait state sleeps until. */
  waitUntil?: number;
  /** The token a `.waitForTaskToken` Task is waiting on. */
  taskToken?: string;
}

export interface InterpreterHost {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Stores a history event and returns its id. */
  record(type: string, details: Record<string, unknown> | undefined, previousEventId: number): number;
  /** Runs a Task resource; failures are StatesErrors named as Step Functions reports them. */
  invokeTask(call: TaskInvocation): Promise<unknown>;
  newTaskToken(): string;
  /** Resolves with the SendTaskSuccess output; rejects with the SendTaskFailure error or States.HeartbeatTimeout. */
  waitForTaskToken(token: string, options: { heartbeatSeconds?: number; signal: AbortSignal }): Promise<unknown>;
  checkpoint?(checkpoint: Checkpoint): void;
  jsonata?: JsonataEvaluator;
}

/** Thrown (as an abort reason) when an execution is stopped or times out: never caught by Catch. */
export class ExecutionInterrupted extends Error {
  constructor(readonly kind: 'aborted' | 'timed-out' | 'branch-cancelled' | 'shutdown') {
    super(`execution ${kind}`);
  }
}

/** One line of execution: the top level, a Parallel branch or a Map iteration. */
export interface Branch {
  states: Record<string, StateDef>;
  variables: Variables;
  signal: AbortSignal;
  /** Id of the last event of this line, for `previousEventId`. */
  lastEvent: number;
  language: QueryLanguage;
  mapItem?: { Index: number; Value: unknown };
  topLevel: boolean;
}

/** One visit of one state. */
export interface StateRun {
  name: string;
  state: StateDef;
  raw: unknown;
  branch: Branch;
  enteredEventId: number;
  enteredTime: string;
  retryCount: number;
  taskToken?: string;
  query: Query;
  resume?: Checkpoint;
}

export interface Outcome {
  output: unknown;
  /** Undefined = the branch ends here. */
  next?: string;
}

const EXIT_EVENTS: Record<string, string> = {
  Pass: 'PassStateExited',
  Task: 'TaskStateExited',
  Choice: 'ChoiceStateExited',
  Wait: 'WaitStateExited',
  Succeed: 'SucceedStateExited',
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
};

const json = (value: unknown) => JSON.stringify(value) ?? 'null';

export class Interpreter {
  readonly #queries = new Map<QueryLanguage, Query>();

  constructor(
    readonly definition: { StartAt: string; States: Record<string, StateDef>; QueryLanguage?: QueryLanguage },
    readonly host: InterpreterHost,
    readonly execution: ExecutionInfo,
  ) {}

  query(language: QueryLanguage): Query {
    let query = this.#queries.get(language);
    if (query === undefined) {
      query = new Query(language, this.host.jsonata);
      this.#queries.set(language, query);
    }
    return query;
  }

  /** Runs the whole machine; resolves with its output or rejects with a StatesError / ExecutionInterrupted. */
  async run(input: unknown, signal: AbortSignal, options: { resume?: Checkpoint; lastEvent?: number } = {}): Promise<unknown> {
    const variables = new Variables();
    if (options.resume !== undefined) variables.assign(options.resume.variables);
    const branch: Branch = {
      states: this.definition.States,
      variables,
      signal,
      lastEvent: options.lastEvent ?? 0,
      language: this.definition.QueryLanguage ?? 'JSONPath',
      topLevel: true,
    };
    const resume = options.resume;
    return this.runBranch(this.definition, resume === undefined ? input : resume.input, branch, resume);
  }

  /** Runs states from StartAt (or a resumed state) until one ends the branch. */
  async runBranch(block: { StartAt: string; States: Record<string, StateDef> }, input: unknown, branch: Branch, resume?: Checkpoint): Promise<unknown> {
    let name = resume?.state ?? block.StartAt;
    let value = input;
    let resuming = resume;
    for (;;) {
      branch.signal.throwIfAborted();
      const state = block.States[name];
      if (state === undefined) throw new StatesError(States.Runtime, `State '${name}' does not exist`);
      if (branch.topLevel && this.host.checkpoint !== undefined && resuming === undefined) {
        this.host.checkpoint({ state: name, input: value, variables: branch.variables.snapshot() });
      }
      const outcome = await this.runState(name, state, value, branch, resuming);
      resuming = undefined;
      if (outcome.next === undefined) return outcome.output;
      name = outcome.next;
      value = outcome.output;
    }
  }

  record(branch: Branch, type: string, details?: Record<string, unknown>): number {
    branch.lastEvent = this.host.record(type, details, branch.lastEvent);
    return branch.lastEvent;
  }

  /** The context object (`$$` / `$states.context`) as a state sees it. */
  context(run: StateRun): Record<string, unknown> {
    const e = this.execution;
    const context: Record<string, unknown> = {
      Execution: { Id: e.id, Input: e.input, Name: e.name, RoleArn: e.roleArn, StartTime: e.startTime, RedriveCount: 0 },
      State: { EnteredTime: run.enteredTime, Name: run.name, RetryCount: run.retryCount },
      StateMachine: { Id: e.stateMachine.id, Name: e.stateMachine.name },
    };
    if (run.taskToken !== undefined) context['Task'] = { Token: run.taskToken };
    if (run.branch.mapItem !== undefined) context['Map'] = { Item: run.branch.mapItem };
    return context;
  }

  scope(run: StateRun, variables = run.branch.variables): Scope {
    return { context: this.context(run), variables };
  }

  states(run: StateRun, extra: Partial<StatesBinding> = {}): StatesBinding {
    return { input: run.raw, context: this.context(run), ...extra };
  }

  async runState(name: string, state: StateDef, raw: unknown, branch: Branch, resume?: Checkpoint): Promise<Outcome> {
    const type = String(state['Type']);
    const entered = this.record(branch, `${type}StateEntered`, { name, input: json(raw), inputDetails: { truncated: false } });
    const language = (state['QueryLanguage'] as QueryLanguage | undefined) ?? branch.language;
    const run: StateRun = {
      name,
      state,
      raw,
      branch,
      enteredEventId: entered,
      enteredTime: new Date(this.host.now()).toISOString(),
      retryCount: 0,
      query: this.query(language),
      ...(resume !== undefined ? { resume } : {}),
    };
    let outcome: Outcome;
    try {
      outcome = await this.withRetries(run, type);
    } catch (error) {
      throw this.located(run, error);
    }
    if (type !== 'Fail') this.record(branch, EXIT_EVENTS[type]!, { name, output: json(outcome.output), outputDetails: { truncated: false } });
    return outcome;
  }

  /** States.Runtime causes say where they happened, as Step Functions words them. */
  located(run: StateRun, error: unknown): unknown {
    if (error instanceof StatesError && error.error === States.Runtime && !error.cause?.startsWith('An error occurred while executing the state')) {
      return new StatesError(States.Runtime, `An error occurred while executing the state '${run.name}' (entered at the event id #${run.enteredEventId}). ${error.cause ?? ''}`);
    }
    return error;
  }

  async attempt(run: StateRun, type: string): Promise<Outcome> {
    switch (type) {
      case 'Pass':
        return runPass(this, run);
      case 'Task':
        return runTask(this, run);
      case 'Choice':
        return runChoice(this, run);
      case 'Wait':
        return runWait(this, run);
      case 'Succeed':
        return runSucceed(this, run);
      case 'Fail':
        return runFail(this, run);
      case 'Parallel':
        return runParallel(this, run);
      case 'Map':
        return runMap(this, run);
      default:
        throw new StatesError(States.Runtime, `Unsupported state type ${type}`);
    }
  }

  /**
   * Retry with backoff, then Catch; "Retriers are tried in order ... the first whose ErrorEquals matches".
   * "A retrier's parameters apply across all visits to the retrier": its interval grows with every retry
   * it grants, while MaxAttempts limits the retries "for that particular error" (developer guide,
   * "Handling errors", complex retry scenarios: ErrorA, ErrorB, ErrorC, ErrorB wait 1, 2, 5, 4 seconds
   * and the next ErrorB is caught).
   */
  async withRetries(run: StateRun, type: string): Promise<Outcome> {
    const retriers = (run.state['Retry'] as StateDef[] | undefined) ?? [];
    const catchers = (run.state['Catch'] as StateDef[] | undefined) ?? [];
    const visits = retriers.map(() => 0);
    const perError = retriers.map(() => new Map<string, number>());
    const inTask = type === 'Task';
    for (;;) {
      try {
        return await this.attempt(run, type);
      } catch (thrown) {
        if (thrown instanceof ExecutionInterrupted || run.branch.signal.aborted) throw thrown;
        const error = this.located(run, asStatesError(thrown)) as StatesError;
        const index = retriers.findIndex((r) => errorMatches((r['ErrorEquals'] as string[]) ?? [], error.error, inTask));
        if (index !== -1) {
          const retrier = retriers[index]!;
          const max = (retrier['MaxAttempts'] as number | undefined) ?? 3;
          const retried = perError[index]!.get(error.error) ?? 0;
          if (retried < max) {
            const delay = retryDelayMs(retrier, visits[index]!);
            visits[index]!++;
            perError[index]!.set(error.error, retried + 1);
            run.retryCount++;
            delete run.resume;
            await this.host.sleep(delay, run.branch.signal);
            continue;
          }
        }
        const catcher = catchers.find((c) => errorMatches((c['ErrorEquals'] as string[]) ?? [], error.error, inTask));
        if (catcher === undefined) throw error;
        return this.caught(run, catcher, error);
      }
    }
  }

  async caught(run: StateRun, catcher: StateDef, error: StatesError): Promise<Outcome> {
    const errorOutput = errorOutputOf(error);
    const scope = this.scope(run);
    const states = this.states(run, { errorOutput });
    const values = await run.query.assign(catcher, errorOutput, states, scope);
    let output: unknown;
    if (run.query.language === 'JSONPath') {
      output = applyResultPath(run.raw, errorOutput, catcher['ResultPath'] as string | null | undefined);
    } else {
      output = 'Output' in catcher ? await run.query.jsonataValue(catcher['Output'], states, scope, 'Output') : errorOutput;
    }
    run.branch.variables.assign(values);
    return { output, next: String(catcher['Next']) };
  }
}

/**
 * "IntervalSeconds ... BackoffRate: the multiplier by which the retry interval increases during each
 * attempt ... MaxDelaySeconds: caps the retry interval ... JitterStrategy FULL: randomizes the delay".
 */
export function retryDelayMs(retrier: StateDef, attempt: number): number {
  const interval = (retrier['IntervalSeconds'] as number | undefined) ?? 1;
  const rate = (retrier['BackoffRate'] as number | undefined) ?? 2;
  let seconds = interval * rate ** attempt;
  const max = retrier['MaxDelaySeconds'] as number | undefined;
  if (max !== undefined) seconds = Math.min(seconds, max);
  if (retrier['JitterStrategy'] === 'FULL') seconds = Math.random() * seconds;
  return Math.round(seconds * 1000);
}

/** Next state or the end of the branch, from `Next` / `End`. */
export function transition(state: StateDef, output: unknown): Outcome {
  return state['End'] === true || state['Next'] === undefined ? { output } : { output, next: String(state['Next']) };
}
