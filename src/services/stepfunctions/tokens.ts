/**
 * Task tokens for the `.waitForTaskToken` pattern: issued per Task attempt, completed by
 * SendTaskSuccess / SendTaskFailure (possibly before the Task starts waiting), kept alive by
 * SendTaskHeartbeat within HeartbeatSeconds.
 * AWS docs: Step Functions developer guide, "Wait for a Callback with Task Token"; API reference
 * "SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat" (InvalidToken, TaskDoesNotExist, TaskTimedOut).
 */
import { randomBytes } from 'node:crypto';
import { StatesError, States } from './asl/errors.js';
import { apiError } from './context.js';

type Outcome = { output: unknown } | { error: StatesError };

interface Pending {
  executionArn: string;
  outcome?: Outcome;
  waiter?: { resolve(v: unknown): void; reject(e: unknown): void; beat(): void };
}

const PREFIX = 'GHT1';
/** Tokens that ended recently, to answer TaskTimedOut rather than TaskDoesNotExist. */
const REMEMBERED = 10_000;

export class TaskTokens {
  readonly #pending = new Map<string, Pending>();
  readonly #timedOut = new Set<string>();

  issue(executionArn: string): string {
    const token = PREFIX + randomBytes(48).toString('base64url');
    this.#pending.set(token, { executionArn });
    return token;
  }

  /** A token saved in a checkpoint becomes valid again after a restart. */
  adopt(token: string, executionArn: string): void {
    if (!this.#pending.has(token)) this.#pending.set(token, { executionArn });
  }

  wait(token: string, options: { heartbeatSeconds?: number; signal: AbortSignal }): Promise<unknown> {
    const pending = this.#pending.get(token);
    if (pending === undefined) return Promise.reject(new StatesError(States.Runtime, 'The task token is no longer valid'));
    if (pending.outcome !== undefined) {
      this.#pending.delete(token);
      return 'output' in pending.outcome ? Promise.resolve(pending.outcome.output) : Promise.reject(pending.outcome.error);
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        this.#pending.delete(token);
      };
      const arm = () => {
        if (timer !== undefined) clearTimeout(timer);
        if (options.heartbeatSeconds === undefined) return;
        timer = setTimeout(() => {
          done();
          this.#remember(token);
          reject(new StatesError(States.HeartbeatTimeout, ''));
        }, options.heartbeatSeconds * 1000);
      };
      const onAbort = () => {
        done();
        reject(options.signal.reason);
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      pending.waiter = {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        beat: arm,
      };
      arm();
    });
  }

  #remember(token: string): void {
    this.#timedOut.add(token);
    if (this.#timedOut.size > REMEMBERED) this.#timedOut.delete(this.#timedOut.values().next().value!);
  }

  #find(token: string): Pending {
    if (typeof token !== 'string' || !token.startsWith(PREFIX) || token.length > 1024) throw apiError('InvalidToken', 'Invalid token');
    const pending = this.#pending.get(token);
    if (pending !== undefined) return pending;
    if (this.#timedOut.has(token)) throw apiError('TaskTimedOut', 'Task Timed Out');
    throw apiError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  #settle(token: string, outcome: Outcome): void {
    const pending = this.#find(token);
    if (pending.waiter === undefined) {
      if (pending.outcome !== undefined) throw apiError('TaskDoesNotExist', 'Task does not exist anymore');
      pending.outcome = outcome;
    } else if ('output' in outcome) pending.waiter.resolve(outcome.output);
    else pending.waiter.reject(outcome.error);
  }

  succeed(token: string, output: unknown): void {
    this.#settle(token, { output });
  }

  fail(token: string, error: string, cause: string | undefined): void {
    this.#settle(token, { error: new StatesError(error, cause) });
  }

  heartbeat(token: string): void {
    this.#find(token).waiter?.beat();
  }

  /** Forgets the tokens of an execution that ended. */
  release(executionArn: string): void {
    for (const [token, pending] of this.#pending) if (pending.executionArn === executionArn) this.#pending.delete(token);
  }
}
