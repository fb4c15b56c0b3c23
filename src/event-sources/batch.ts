/**
 * One batch to a function and what came of it: success, failure (the function threw, timed out,
 * crashed, or the invoke itself failed), or — with ReportBatchItemFailures — the items the
 * function names in `batchItemFailures`.
 * AWS docs: Lambda developer guide "Handling errors for an SQS event source in Lambda"
 * (partial batch responses: success and failure conditions) and "Configuring partial batch
 * response with Kinesis Data Streams and Lambda" (the same conditions, sequence numbers as ids).
 */
import type { InvokeResult } from '../lambda/index.js';
import type { Logger } from '../core/log.js';
import type { EventSourceMapping } from './mapping.js';
import type { EventRecord } from './records.js';

/** `payload`: the function's response, when it ran (tumbling windows read their state from it). */
export type Outcome = { kind: 'success'; payload?: Buffer } | { kind: 'failure'; reason: string } | { kind: 'partial'; failed: Set<string>; payload?: Buffer };

export type Invoke = (functionArn: string, payload: string) => Promise<InvokeResult>;

export interface BatchDeps {
  invoke: Invoke;
  log: Logger;
}

/**
 * Invokes the function synchronously with `{ Records, ...extra }` (`extra`: a tumbling window's
 * fields); `ids` are the batch's item identifiers.
 */
export async function invokeBatch(deps: BatchDeps, mapping: EventSourceMapping, records: EventRecord[], ids: string[], extra?: Record<string, unknown>): Promise<Outcome> {
  let result: InvokeResult;
  try {
    result = await deps.invoke(mapping.functionArn, JSON.stringify(extra === undefined ? { Records: records } : { Records: records, ...extra }));
  } catch (error) {
    return { kind: 'failure', reason: (error as Error).message };
  }
  if (result.functionError !== undefined) return { kind: 'failure', reason: result.payload.toString('utf8') };
  if (!mapping.reportBatchItemFailures) return { kind: 'success', payload: result.payload };
  const outcome = batchItemFailures(result.payload, new Set(ids));
  if (outcome.kind === 'failure') deps.log.warn(`event source ${mapping.uuid}: ${outcome.reason}; the whole batch counts as failed`);
  return outcome.kind === 'failure' ? outcome : { ...outcome, payload: result.payload };
}

/**
 * An empty or null response, or an empty or null `batchItemFailures`, is a complete success; an
 * empty, null or unknown `itemIdentifier` makes the whole batch a failure.
 */
export function batchItemFailures(payload: Buffer, ids: ReadonlySet<string>): Outcome {
  let response: unknown;
  try {
    response = payload.length === 0 ? null : JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'success' };
  }
  if (response === null || typeof response !== 'object') return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return { kind: 'failure', reason: `batchItemFailures names an invalid itemIdentifier ${JSON.stringify(id ?? null)}` };
    failed.add(id);
  }
  return { kind: 'partial', failed };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Backoff after consecutive failures: 100 ms doubling up to 10 s (no busy retry loop). */
export function backoffMs(failures: number): number {
  return Math.min(10_000, 100 * 2 ** Math.min(failures, 10));
}
