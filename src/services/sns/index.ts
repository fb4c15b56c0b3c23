/**
 * The embedded Amazon SNS (Amazon SNS API Reference): standard and FIFO topics, subscriptions
 * delivering to the embedded SQS, to local functions (through the Lambda runtime) and to HTTP/S
 * endpoints, filter policies; the query protocol (and JSON, if a client sends it); state durable
 * in one SQLite database; the template's topics and subscriptions created at start.
 */
import path from 'node:path';
import { openDatabase } from '../../storage/sqlite.js';
import type { EmbeddedService, ServiceContext, ServiceFactory, ServiceRequest } from '../service.js';
import { cachedQueryParameters } from '../protocol/query.js';
import { signingService } from '../sqs/signing.js';
import type { SnsContext, SnsDeps } from './context.js';
import { sendConfirmation } from './delivery.js';
import { OPERATIONS } from './operations/index.js';
import { handleJson, TARGET_PREFIX } from './protocol/json.js';
import { handleQuery } from './protocol/query.js';
import { createTables, SnsStore } from './store.js';
import { createTemplateResources } from './template.js';

export type { SnsDeps, LambdaInvoker } from './context.js';
export { SnsError } from './errors.js';

/** Actions SQS has too: claimed when the request names a topic or is signed for sns. */
const SHARED_ACTIONS = new Set(['AddPermission', 'RemovePermission']);
/** Tagging actions several query services have: claimed for an SNS resource ARN or an sns signature. */
const TAG_ACTIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);
/** Template HTTP/S subscriptions are asked to confirm once the endpoint is likely listening. */
const CONFIRMATION_DELAY_MS = 500;

export const snsService = async (context: ServiceContext, deps: SnsDeps = {}): Promise<EmbeddedService> => {
  const store = new SnsStore(openDatabase(path.join(context.dataDir, 'sns.sqlite'), { schema: createTables }));
  const ctx: SnsContext = {
    store,
    // The endpoint passes its Lambda runtime in the context; an explicit one wins (tests).
    deps: { ...deps, lambda: deps.lambda ?? context.lambda },
    region: context.region,
    accountId: context.accountId,
    endpoint: context.endpoint.replace(/\/+$/, ''),
    log: context.log,
    now: Date.now,
    fifoDedup: new Map(),
    // Increasing across restarts: FIFO sequence numbers start from the clock.
    sequence: 10n ** 19n + BigInt(Date.now()) * 1000n,
    shutdown: new AbortController(),
  };
  let pending;
  try {
    pending = createTemplateResources(ctx, context.project);
  } catch (error) {
    store.close();
    throw error;
  }
  if (pending.length > 0) {
    const timer = setTimeout(() => {
      for (const subscription of pending) void sendConfirmation(ctx, store.topics.get(subscription.topicArn), subscription, 'SubscriptionConfirmation');
    }, CONFIRMATION_DELAY_MS);
    timer.unref();
  }
  let closed = false;
  return {
    name: 'sns',
    matches: claims,
    async handle(request, res) {
      if (request.headers['x-amz-target'] !== undefined) {
        await handleJson(ctx, request, res);
        return;
      }
      await handleQuery(ctx, request, cachedQueryParameters(request), res);
    },
    async close() {
      if (closed) return;
      closed = true;
      ctx.shutdown.abort();
      store.close();
    },
  };
};

snsService satisfies ServiceFactory;

function claims(request: ServiceRequest): boolean {
  const target = request.headers['x-amz-target'];
  if (target !== undefined) return typeof target === 'string' && target.startsWith(TARGET_PREFIX + '.');
  if (request.method !== 'POST' && request.method !== 'GET') return false;
  const params = cachedQueryParameters(request);
  const action = params.get('Action');
  if (action === undefined) return false;
  const signedForSns = signingService(request) === 'sns';
  if (!Object.hasOwn(OPERATIONS, action)) return signedForSns;
  if (SHARED_ACTIONS.has(action)) return signedForSns || params.has('TopicArn');
  if (TAG_ACTIONS.has(action)) return signedForSns || (params.get('ResourceArn') ?? '').startsWith('arn:aws:sns:');
  return true;
}
