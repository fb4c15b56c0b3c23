/**
 * The embedded Amazon SQS (Amazon SQS API Reference): standard and FIFO queues over both wire
 * protocols (JSON 1.0 and query), durable in one SQLite database under the service's data folder,
 * template queues created at start. Also the programmatic queue API other parts of gatehouse use.
 */
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { claimDatabase } from '../../storage/sqlite.js';
import type { EmbeddedService, ServiceContext, ServiceFactory, ServiceRequest } from '../service.js';
import { cachedQueryParameters } from '../protocol/query.js';
import { createSqsQueues, type SqsQueues } from './api.js';
import type { SqsContext } from './context.js';
import { OPERATIONS } from './operations/index.js';
import { handleJson, TARGET_PREFIX } from './protocol/json.js';
import { handleQuery } from './protocol/query.js';
import { signingService } from './signing.js';
import { createTables, SqsStore } from './store.js';
import { createTemplateQueues } from './template.js';
import { ReceiveWaiters } from './waiters.js';

export type { SqsQueues, QueueInfo, ReceivedMessage, SendRequest, SendResult } from './api.js';
export type { MessageAttributes, MessageAttributeValue } from './model.js';
export { SqsError } from './errors.js';
export { md5OfAttributes } from './md5.js';

export interface SqsService extends EmbeddedService {
  readonly queues: SqsQueues;
}

/** How often expired messages and deduplication ids are swept (reads skip them in between). */
const SWEEP_INTERVAL_MS = 60_000;

/** Actions SNS has too: claimed only when the request names a queue or is signed for sqs. */
const SHARED_ACTIONS = new Set(['AddPermission', 'RemovePermission']);

let running: SqsQueues | undefined;

/** The queues of the most recently started embedded SQS (SNS deliveries use it when not given one). */
export function runningSqs(): SqsQueues | undefined {
  return running;
}

export const sqsService = async (context: ServiceContext): Promise<SqsService> => {
  const store = new SqsStore(claimDatabase(path.join(context.dataDir, 'sqs.sqlite'), 'sqs', createTables));
  const ctx: SqsContext = {
    store,
    waiters: new ReceiveWaiters(),
    region: context.region,
    accountId: context.accountId,
    endpoint: context.endpoint,
    now: Date.now,
    purgedAt: new Map(),
  };
  try {
    await createTemplateQueues(ctx, context.project, context.log);
  } catch (error) {
    store.close();
    throw error;
  }
  const timer = setInterval(() => {
    const now = ctx.now();
    void store
      .write(() => {
        store.sweepDedup(now);
        for (const queue of store.queues.values()) store.expireBefore(queue.name, now - queue.settings.messageRetentionPeriod * 1000);
      }, false)
      .catch((error: unknown) => context.log.warn(`sqs: sweep failed: ${(error as Error).message}`));
  }, SWEEP_INTERVAL_MS);
  timer.unref();

  const queues = createSqsQueues(ctx);
  let closed = false;
  const service: SqsService = {
    name: 'sqs',
    queues,
    matches: claims,
    async handle(request, res) {
      if (request.headers['x-amz-target'] !== undefined) {
        await handleJson(ctx, request, res, () => abortSignalOf(res));
        return;
      }
      const params = cachedQueryParameters(request);
      await handleQuery(ctx, request, params, res, () => abortSignalOf(res));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      ctx.waiters.close();
      store.close();
      if (running === queues) running = undefined;
    },
  };
  running = queues;
  return service;
};

sqsService satisfies ServiceFactory;

/** JSON requests by `X-Amz-Target: AmazonSQS.*`; query requests by an SQS action (or a request signed for sqs). */
function claims(request: ServiceRequest): boolean {
  const target = request.headers['x-amz-target'];
  if (target !== undefined) return typeof target === 'string' && target.startsWith(TARGET_PREFIX + '.');
  if (request.method !== 'POST' && request.method !== 'GET') return false;
  const action = cachedQueryParameters(request).get('Action');
  if (action === undefined) return false;
  const signedForSqs = signingService(request) === 'sqs';
  if (!Object.hasOwn(OPERATIONS, action)) return signedForSqs;
  if (SHARED_ACTIONS.has(action)) return signedForSqs || cachedQueryParameters(request).has('QueueUrl') || /^\/[^/]+\/[^/]+\/?$/.test(request.path);
  return true;
}

/** Aborts when the client goes away before the answer (a long poll then stops taking messages). */
function abortSignalOf(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) controller.abort();
  };
  res.once('close', onClose);
  return controller.signal;
}
