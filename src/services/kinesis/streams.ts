/**
 * Stream and shard management: CreateStream, DeleteStream, DescribeStream(+Summary), ListStreams,
 * ListShards, retention, stream mode and tags. Streams are ACTIVE as soon as they are created.
 * AWS docs: Kinesis Data Streams API reference, "CreateStream", "DescribeStream", "DescribeStreamSummary",
 * "ListStreams", "ListShards", "IncreaseStreamRetentionPeriod", "AddTagsToStream".
 */
import { AwsServiceError } from '../protocol/errors.js';
import {
  invalidArgument,
  optionalInteger,
  optionalString,
  requireStream,
  STREAM_NAME,
  streamArn,
  streamNameOf,
  timestamp,
  Timestamp,
  validation,
  type Input,
  type KinesisContext,
  type Operation,
} from './context.js';
import { parseShardId } from './sequence.js';
import { filterShards, parseShardFilter, retainedShards, shardOutput, streamStatus, type ShardFilter } from './shards.js';
import type { ShardInfo, StreamInfo, StreamMode } from './store.js';

/** "On-demand mode ... a newly created on-demand stream has a write capacity of 4 MB/s" — four shards. */
export const ON_DEMAND_SHARDS = 4;
/** The default account shard quota (us-east-1, us-west-2, eu-west-1). */
const ACCOUNT_SHARD_LIMIT = 500;
export const DEFAULT_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

function modeOf(input: Input): StreamMode | undefined {
  const details = input['StreamModeDetails'];
  if (details === undefined || details === null) return undefined;
  const mode = (details as Record<string, unknown>)['StreamMode'];
  if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND') {
    throw validation(mode, 'streamModeDetails.streamMode', 'Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]');
  }
  return mode;
}

/** Open shards count against the account quota: creating a stream, splitting, scaling up. */
export function checkShardLimit(ctx: KinesisContext, additional: number): void {
  const used = ctx.store.list().reduce((sum, s) => sum + s.open.length, 0);
  if (used + additional > ACCOUNT_SHARD_LIMIT) {
    throw new AwsServiceError(
      'LimitExceededException',
      `This request would exceed the shard limit for the account ${ctx.accountId} in ${ctx.region}. Current shard count for the account: ${used}. Limit: ${ACCOUNT_SHARD_LIMIT}. Number of additional shards that would have resulted from this request: ${additional}.`,
      400,
    );
  }
}

/** Shared by the API and the template loader. */
export function createStream(ctx: KinesisContext, name: string, shardCount: number, mode: StreamMode, retentionHours: number, tags: Record<string, string>): StreamInfo {
  if (ctx.store.get(name) !== undefined) {
    throw new AwsServiceError('ResourceInUseException', `Stream ${name} under account ${ctx.accountId} already exists.`, 400);
  }
  checkShardLimit(ctx, shardCount);
  return ctx.store.create(name, shardCount, mode, retentionHours, tags, ctx.now());
}

const createStreamOp: Operation = (ctx, input) => {
  const name = optionalString(input, 'StreamName');
  if (name === undefined) throw validation(undefined, 'streamName', 'Member must not be null');
  if (!STREAM_NAME.test(name)) throw validation(name, 'streamName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  const mode = modeOf(input) ?? 'PROVISIONED';
  const count = optionalInteger(input, 'ShardCount', 1, 100000);
  if (mode === 'ON_DEMAND' && count !== undefined) throw invalidArgument('ShardCount is not supported for ON_DEMAND streams.');
  if (mode === 'PROVISIONED' && count === undefined) throw invalidArgument('ShardCount is required for PROVISIONED streams.');
  const tags = (input['Tags'] ?? {}) as Record<string, string>;
  createStream(ctx, name, count ?? ON_DEMAND_SHARDS, mode, DEFAULT_RETENTION_HOURS, tags);
  return {};
};

function common(ctx: KinesisContext, stream: StreamInfo) {
  return {
    StreamName: stream.name,
    StreamARN: streamArn(ctx, stream.name),
    StreamStatus: streamStatus(stream, ctx.now()),
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: new Timestamp(stream.createdMs),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

/** Listed shards after `exclusiveStartShardId` (compared by index, as shard ids sort). */
function shardsAfter(shards: ShardInfo[], exclusiveStartShardId: string | undefined): ShardInfo[] {
  if (exclusiveStartShardId === undefined) return shards;
  const index = parseShardId(exclusiveStartShardId);
  if (index === null) throw validation(exclusiveStartShardId, 'exclusiveStartShardId', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  return shards.filter((s) => s.index > index);
}

const describeStream: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  const limit = optionalInteger(input, 'Limit', 1, 10000) ?? 100;
  // Closed shards stay listed (with EndingSequenceNumber) while their records are retained.
  const shards = shardsAfter(retainedShards(stream, ctx.now()), optionalString(input, 'ExclusiveStartShardId'));
  const { StreamName, StreamARN, StreamStatus, StreamModeDetails, ...rest } = common(ctx, stream);
  return {
    StreamDescription: {
      StreamName,
      StreamARN,
      StreamStatus,
      StreamModeDetails,
      Shards: shards.slice(0, limit).map(shardOutput),
      HasMoreShards: shards.length > limit,
      ...rest,
    },
  };
};

const describeStreamSummary: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  return { StreamDescriptionSummary: { ...common(ctx, stream), OpenShardCount: stream.open.length, ConsumerCount: 0 } };
};

const listStreams: Operation = (ctx, input) => {
  const limit = optionalInteger(input, 'Limit', 1, 10000) ?? 100;
  const token = optionalString(input, 'NextToken');
  let after = optionalString(input, 'ExclusiveStartStreamName');
  if (token !== undefined) after = decodeToken(token, 'list')[1];
  const all = ctx.store.list().filter((s) => after === undefined || s.name > after);
  const page = all.slice(0, limit);
  const more = all.length > limit;
  return {
    StreamNames: page.map((s) => s.name),
    HasMoreStreams: more,
    ...(more ? { NextToken: encodeToken(['list', page[page.length - 1]!.name]) } : {}),
    StreamSummaries: page.map((s) => ({
      StreamName: s.name,
      StreamARN: streamArn(ctx, s.name),
      StreamStatus: streamStatus(s, ctx.now()),
      StreamModeDetails: { StreamMode: s.mode },
      StreamCreationTimestamp: new Timestamp(s.createdMs),
    })),
  };
};

function encodeToken(parts: (string | number | ShardFilter)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64');
}

function decodeToken(token: string, kind: string): [string, string, number, ShardFilter?] {
  try {
    const parts = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as [string, string, number, ShardFilter?];
    if (Array.isArray(parts) && parts[0] === kind && typeof parts[1] === 'string') return parts;
  } catch {
    // falls through to the API's answer for a token it did not issue
  }
  throw invalidArgument('Invalid NextToken.');
}

const listShards: Operation = (ctx, input) => {
  const token = optionalString(input, 'NextToken');
  const maxResults = optionalInteger(input, 'MaxResults', 1, 10000) ?? 1000;
  let stream: StreamInfo;
  let after: number | undefined;
  let filter: ShardFilter | undefined;
  if (token !== undefined) {
    if (input['StreamName'] !== undefined) throw invalidArgument('NextToken and StreamName cannot be provided together.');
    const [, name, index, tokenFilter] = decodeToken(token, 'shards');
    stream = requireStream(ctx, { StreamName: name });
    after = index;
    // The token carries the filter of the first page, so every page lists the same selection.
    filter = tokenFilter ?? undefined;
  } else {
    stream = requireStream(ctx, input);
    filter = parseShardFilter(input['ShardFilter'], (f) => timestamp(f, 'Timestamp'));
    const start = optionalString(input, 'ExclusiveStartShardId');
    if (start !== undefined) {
      const index = parseShardId(start);
      if (index === null) throw invalidArgument(`Invalid ShardId ${start}.`);
      after = index;
    }
  }
  const shards = filterShards(stream, filter, ctx.now()).filter((s) => after === undefined || s.index > after);
  const page = shards.slice(0, maxResults);
  return {
    Shards: page.map(shardOutput),
    ...(shards.length > maxResults ? { NextToken: encodeToken(['shards', stream.name, page[page.length - 1]!.index, ...(filter === undefined ? [] : [filter])]) } : {}),
  };
};

const deleteStream: Operation = (ctx, input) => {
  ctx.store.delete(requireStream(ctx, input));
  return {};
};

function retentionChange(direction: 'increase' | 'decrease'): Operation {
  return (ctx, input) => {
    const stream = requireStream(ctx, input);
    const hours = optionalInteger(input, 'RetentionPeriodHours', 1, 1_000_000);
    if (hours === undefined) throw validation(undefined, 'retentionPeriodHours', 'Member must not be null');
    if (hours < DEFAULT_RETENTION_HOURS || hours > MAX_RETENTION_HOURS) {
      throw invalidArgument(`Minimum allowed retention period is ${DEFAULT_RETENTION_HOURS} hours. Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours.`);
    }
    if (direction === 'increase' && hours < stream.retentionHours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    if (direction === 'decrease' && hours > stream.retentionHours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    ctx.store.setRetention(stream, hours);
    return {};
  };
}

const updateStreamMode: Operation = (ctx, input) => {
  const stream = requireStream(ctx, { StreamARN: input['StreamARN'] });
  const mode = modeOf(input);
  if (mode === undefined) throw validation(undefined, 'streamModeDetails', 'Member must not be null');
  // The mode is recorded; the shard layout stays as it is (on-demand capacity scaling is not emulated).
  ctx.store.setMode(stream, mode);
  return {};
};

const addTagsToStream: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  const tags = input['Tags'];
  if (tags === null || typeof tags !== 'object') throw validation(undefined, 'tags', 'Member must not be null');
  const merged = { ...stream.tags, ...(tags as Record<string, string>) };
  if (Object.keys(merged).length > 50) throw invalidArgument('Failed to add tags to stream because a given stream cannot have more than 50 tags.');
  ctx.store.setTags(stream, merged);
  return {};
};

const removeTagsFromStream: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  const keys = input['TagKeys'];
  if (!Array.isArray(keys)) throw validation(undefined, 'tagKeys', 'Member must not be null');
  const tags = { ...stream.tags };
  for (const key of keys) delete tags[String(key)];
  ctx.store.setTags(stream, tags);
  return {};
};

const listTagsForStream: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  const limit = optionalInteger(input, 'Limit', 1, 50) ?? 50;
  const start = optionalString(input, 'ExclusiveStartTagKey');
  const keys = Object.keys(stream.tags)
    .sort()
    .filter((k) => start === undefined || k > start);
  return { Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: stream.tags[Key] })), HasMoreTags: keys.length > limit };
};

export const STREAM_OPERATIONS: Record<string, Operation> = {
  CreateStream: createStreamOp,
  DeleteStream: deleteStream,
  DescribeStream: describeStream,
  DescribeStreamSummary: describeStreamSummary,
  ListStreams: listStreams,
  ListShards: listShards,
  IncreaseStreamRetentionPeriod: retentionChange('increase'),
  DecreaseStreamRetentionPeriod: retentionChange('decrease'),
  UpdateStreamMode: updateStreamMode,
  AddTagsToStream: addTagsToStream,
  RemoveTagsFromStream: removeTagsFromStream,
  ListTagsForStream: listTagsForStream,
};

export { streamNameOf };
