/**
 * Tumbling windows of a stream event source (TumblingWindowInSeconds): each record belongs to the
 * fixed window its arrival time falls in; the batches of a window carry the state the function
 * returned for the previous one, and once the window is over a last invocation with
 * `isFinalInvokeForWindow` hands the final state over, after which the state is dropped. The open
 * window and its state are stored beside the shard's checkpoint, so they survive a restart.
 * AWS docs: Lambda developer guide "Implementing stateful Kinesis Data Streams processing in Lambda"
 * (TimeWindowEventResponse `state` required, 1 MB per shard, isFinalInvokeForWindow,
 * isWindowTerminatedEarly; the KinesisTimeWindowEvent example) and the DynamoDB counterpart.
 */
import type { Checkpoints } from './stream-poller.js';

/** "Your state can be a maximum of 1 MB per shard. If it exceeds that size, Lambda terminates the window early." */
export const MAX_STATE_BYTES = 1024 * 1024;

export interface OpenWindow {
  /** Epoch milliseconds. */
  start: number;
  state: Record<string, unknown>;
}

export class TumblingWindows {
  readonly #ms: number;
  readonly #checkpoints: Checkpoints;
  readonly #uuid: string;

  constructor(seconds: number, uuid: string, checkpoints: Checkpoints) {
    this.#ms = seconds * 1000;
    this.#uuid = uuid;
    this.#checkpoints = checkpoints;
  }

  /** Start of the window `ms` falls in (windows are aligned on multiples of their length). */
  startOf(ms: number): number {
    return Math.floor(ms / this.#ms) * this.#ms;
  }

  endOf(start: number): number {
    return start + this.#ms;
  }

  open(shard: string): OpenWindow | undefined {
    const stored = this.#checkpoints.get(this.#uuid, `${shard}#window`);
    return stored === undefined || stored === '' ? undefined : (JSON.parse(stored) as OpenWindow);
  }

  save(shard: string, window: OpenWindow | undefined): void {
    this.#checkpoints.set(this.#uuid, `${shard}#window`, window === undefined ? '' : JSON.stringify(window));
  }

  /** The fields a window's invocation adds beside `Records`. */
  eventFields(shard: string, eventSourceArn: string, window: OpenWindow, final: boolean, terminatedEarly: boolean): Record<string, unknown> {
    return {
      window: { start: iso(window.start), end: iso(this.endOf(window.start)) },
      state: window.state,
      shardId: shard,
      eventSourceARN: eventSourceArn,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: terminatedEarly,
    };
  }
}

/** "2020-12-09T07:04:00Z", as the example event writes window bounds. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `state` of a TimeWindowEventResponse; undefined when missing ("Lambda considers this a failed invocation"). */
export function stateOf(response: unknown): Record<string, unknown> | undefined {
  const state = response !== null && typeof response === 'object' ? (response as { state?: unknown }).state : undefined;
  return state !== null && typeof state === 'object' && !Array.isArray(state) ? (state as Record<string, unknown>) : undefined;
}
