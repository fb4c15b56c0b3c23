/**
 * The wire side of the embedded DynamoDB: AWS JSON 1.0 with `X-Amz-Target:
 * DynamoDB_20120810.<Operation>` (and `DynamoDBStreams_20120810.<Operation>` for Streams), errors
 * typed `com.amazonaws.dynamodb.v20120810#<Code>` (API Reference "Making API requests").
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/log.js';
import { parseJsonInput, writeJson, writeJsonError } from '../protocol/json.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { ServiceRequest } from '../service.js';
import type { DynamoContext, Operation } from './context.js';
import { ERROR_NAMESPACE } from './errors.js';
import { authorizeCall, CoralError, writeCoralError } from './authorize.js';
import { batchGetItem, batchWriteItem } from './operations/batch.js';
import { deleteItem, getItem, putItem, updateItem } from './operations/items.js';
import { query, scan } from './operations/query.js';
import { describeStream, getRecords, getShardIterator, listStreams } from './operations/streams.js';
import {
  createTable,
  deleteTable,
  describeContinuousBackups,
  describeLimits,
  describeTable,
  describeTimeToLive,
  listTables,
  listTagsOfResource,
  tagResource,
  untagResource,
  updateTable,
  updateTimeToLive,
} from './operations/tables.js';
import { transactGetItems, transactWriteItems } from './operations/transactions.js';

export const DYNAMODB_PREFIX = 'DynamoDB_20120810.';
export const STREAMS_PREFIX = 'DynamoDBStreams_20120810.';

const DYNAMODB: Record<string, Operation> = {
  CreateTable: (ctx, input) => createTable(ctx, input),
  DescribeTable: describeTable,
  ListTables: listTables,
  DeleteTable: deleteTable,
  UpdateTable: updateTable,
  UpdateTimeToLive: updateTimeToLive,
  DescribeTimeToLive: describeTimeToLive,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsOfResource: listTagsOfResource,
  DescribeLimits: describeLimits,
  DescribeContinuousBackups: describeContinuousBackups,
  PutItem: putItem,
  GetItem: getItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  Query: query,
  Scan: scan,
  BatchGetItem: batchGetItem,
  BatchWriteItem: batchWriteItem,
  TransactWriteItems: transactWriteItems,
  TransactGetItems: transactGetItems,
};

const STREAMS: Record<string, Operation> = {
  ListStreams: listStreams,
  DescribeStream: describeStream,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};

function targetOf(request: ServiceRequest): string | undefined {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' ? target : undefined;
}

export function claims(request: ServiceRequest): boolean {
  const target = targetOf(request);
  return target !== undefined && (target.startsWith(DYNAMODB_PREFIX) || target.startsWith(STREAMS_PREFIX));
}

export async function handleRequest(ctx: DynamoContext, log: Logger, request: ServiceRequest, res: ServerResponse): Promise<void> {
  const target = targetOf(request) ?? '';
  const streams = target.startsWith(STREAMS_PREFIX);
  const name = target.slice(streams ? STREAMS_PREFIX.length : DYNAMODB_PREFIX.length);
  const operation = Object.hasOwn(streams ? STREAMS : DYNAMODB, name) ? (streams ? STREAMS : DYNAMODB)[name] : undefined;
  if (operation === undefined) {
    writeJsonError(res, '1.0', new AwsServiceError('UnknownOperationException', ''), 'com.amazon.coral.service');
    return;
  }
  let output: unknown;
  let failure: AwsServiceError | undefined;
  try {
    const input = parseJsonInput(request);
    if (ctx.iam?.enforce) await authorizeCall(ctx, ctx.iam, log, request, name, input);
    output = operation(ctx, input);
  } catch (error) {
    if (error instanceof CoralError) {
      writeCoralError(res, error);
      return;
    }
    if (!(error instanceof AwsServiceError)) {
      log.error(`dynamodb ${name}: ${(error as Error)?.stack ?? String(error)}`);
      error = new AwsServiceError('InternalServerError', 'Internal server error', 500);
    }
    failure = error as AwsServiceError;
  }
  // Answer only once what this request wrote, or read from others in the same batch, is committed.
  const pending = ctx.store.durable();
  if (pending !== undefined) {
    try {
      await pending;
    } catch (error) {
      log.error(`dynamodb: commit failed: ${(error as Error)?.message ?? String(error)}`);
      failure = new AwsServiceError('InternalServerError', 'Internal server error', 500);
    }
  }
  if (failure !== undefined) writeJsonError(res, '1.0', failure, ERROR_NAMESPACE);
  else writeJson(res, '1.0', 200, output);
}
