/**
 * Resharding: SplitShard, MergeShards and UpdateShardCount. A reshard closes its parent shards at
 * their last sequence number and opens children (ParentShardId / AdjacentParentShardId) that receive
 * every record written afterwards; the stream reports UPDATING for a moment, then ACTIVE.
 * AWS docs: Kinesis Data Streams API reference "SplitShard", "MergeShards", "UpdateShardCount";
 * developer guide "Resharding a stream". Error wording as kinesalite and moto recorded it from AWS
 * (their test suites), and as the AWS CDK quotes UpdateShardCount's (aws-kinesis Stream shardCount docs).
 */
import { AwsServiceError } from '../protocol/errors.js';
import { invalidArgument, optionalInteger, requiredString, requireStream, streamArn, validation, type Input, type KinesisContext, type Operation } from './context.js';
import type { HashKeyRange } from './hash-keys.js';
import { parseShardId } from './sequence.js';
import { requireActive } from './shards.js';
import type { ShardChange, ShardInfo, StreamInfo } from './store.js';
import { checkShardLimit } from './streams.js';

/** How long a stream reports UPDATING after a reshard (AWS takes seconds to minutes; locally a moment). */
export const RESHARD_MS = 500;
/** "the default limit for shard count per stream is 10000". */
const MAX_STREAM_SHARDS = 10000;
/** "Scale more than ten times per rolling 24-hour period per stream" is not allowed. */
const MAX_SCALINGS_PER_DAY = 10;
const DAY_MS = 24 * 3_600_000;

const SHARD_ID_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
const HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

function shardIdMember(input: Input, name: string): string {
  const value = requiredString(input, name);
  if (!SHARD_ID_PATTERN.test(value)) {
    throw validation(value, name[0]!.toLowerCase() + name.slice(1), 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  }
  return value;
}

/** The stream to reshard: provisioned ("This API is only supported for the data streams with the provisioned capacity mode") and ACTIVE. */
function reshardable(ctx: KinesisContext, input: Input): StreamInfo {
  const stream = requireStream(ctx, input);
  if (stream.mode === 'ON_DEMAND') {
    throw new AwsServiceError('ValidationException', `Request is invalid. Stream ${stream.name} under account ${ctx.accountId} is in On-Demand mode.`, 400);
  }
  requireActive(ctx, stream);
  return stream;
}

/** An open shard of the stream, named as the request names it. */
function openShard(ctx: KinesisContext, stream: StreamInfo, id: string): ShardInfo {
  const index = parseShardId(id);
  const shard = index === null ? undefined : stream.shards[index];
  if (shard === undefined) throw new AwsServiceError('ResourceNotFoundException', `Could not find shard ${id} in stream ${stream.name} under account ${ctx.accountId}.`, 400);
  if (shard.closed !== undefined) {
    throw invalidArgument(`Shard ${id} in stream ${stream.name} under account ${ctx.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
  }
  return shard;
}

/** Splits and merges planned on the open shards before any is applied (UpdateShardCount chains several). */
class Plan {
  readonly changes: ShardChange[] = [];
  /** Open shards by starting hash key. */
  open: { index: number; range: HashKeyRange }[];
  #next: number;

  constructor(stream: StreamInfo) {
    this.open = stream.open.map((s) => ({ index: s.index, range: s.range }));
    this.#next = stream.shards.length;
  }

  /** "The NewStartingHashKey hash key value and all higher hash key values ... [go] to one of the child shards. All the lower hash key values ... to the other." */
  split(index: number, key: bigint): void {
    const at = this.open.findIndex((s) => s.index === index);
    const { range } = this.open[at]!;
    const low = { index: this.#next++, range: { start: range.start, end: key - 1n } };
    const high = { index: this.#next++, range: { start: key, end: range.end } };
    this.changes.push({ close: [index], create: [{ ...low, parents: [index] }, { ...high, parents: [index] }] });
    this.open.splice(at, 1, low, high);
  }

  /** The child covers both ranges; its ParentShardId is `index`, its AdjacentParentShardId `adjacent`. */
  merge(index: number, adjacent: number): void {
    const a = this.open.findIndex((s) => s.index === index);
    const b = this.open.findIndex((s) => s.index === adjacent);
    const [first, second] = a < b ? [a, b] : [b, a];
    const child = { index: this.#next++, range: { start: this.open[first]!.range.start, end: this.open[second]!.range.end } };
    this.changes.push({ close: [index, adjacent], create: [{ ...child, parents: [index, adjacent] }] });
    this.open.splice(first, 2, child);
  }
}

function apply(ctx: KinesisContext, stream: StreamInfo, plan: Plan): void {
  const now = ctx.now();
  ctx.store.reshard(stream, plan.changes, now);
  stream.updatingUntilMs = now + RESHARD_MS;
  // Readers waiting at the end of a parent shard learn that it is closed.
  ctx.appended(stream, new Set(plan.changes.flatMap((c) => c.close)));
}

const splitShard: Operation = (ctx, input) => {
  const shardToSplit = shardIdMember(input, 'ShardToSplit');
  const newStartingHashKey = requiredString(input, 'NewStartingHashKey');
  if (!HASH_KEY_PATTERN.test(newStartingHashKey)) {
    throw validation(newStartingHashKey, 'newStartingHashKey', 'Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})');
  }
  const stream = reshardable(ctx, input);
  const shard = openShard(ctx, stream, shardToSplit);
  const key = BigInt(newStartingHashKey);
  const { start, end } = shard.range;
  if (key <= start + 1n || key >= end) {
    throw invalidArgument(
      `NewStartingHashKey ${newStartingHashKey} used in SplitShard() on shard ${shardToSplit} in stream ${stream.name} under account ${ctx.accountId} is not both greater than one plus the shard's StartingHashKey ${start} and less than the shard's EndingHashKey ${end}.`,
    );
  }
  checkShardLimit(ctx, 1);
  const plan = new Plan(stream);
  plan.split(shard.index, key);
  apply(ctx, stream, plan);
  return {};
};

const mergeShards: Operation = (ctx, input) => {
  const shardToMerge = shardIdMember(input, 'ShardToMerge');
  const adjacentShardToMerge = shardIdMember(input, 'AdjacentShardToMerge');
  const stream = reshardable(ctx, input);
  const shard = openShard(ctx, stream, shardToMerge);
  const adjacent = openShard(ctx, stream, adjacentShardToMerge);
  // "Two shards are considered adjacent if the union of the hash key ranges for the two shards form a contiguous set with no gaps."
  if (shard.range.end + 1n !== adjacent.range.start && adjacent.range.end + 1n !== shard.range.start) {
    throw invalidArgument(
      `Shards ${shardToMerge} and ${adjacentShardToMerge} in stream ${stream.name} under account ${ctx.accountId} are not an adjacent pair of shards eligible for merging`,
    );
  }
  const plan = new Plan(stream);
  plan.merge(shard.index, adjacent.index);
  apply(ctx, stream, plan);
  return {};
};

/**
 * UNIFORM_SCALING as AWS observably performs it (the shard totals moto's tests verified against AWS:
 * 2->4 leaves 6 shards, 4->5 15, 10->13 37, 4->2 6, 5->3 7): to scale up, every open shard is split in
 * half; then adjacent pairs are merged, lowest hash keys first, until the target count is left.
 */
function planScaling(stream: StreamInfo, target: number): Plan {
  const plan = new Plan(stream);
  if (target > plan.open.length) {
    for (const { index, range } of [...plan.open]) plan.split(index, (range.start + range.end + 1n) / 2n);
  }
  while (plan.open.length > target) {
    let merges = plan.open.length - target;
    const pairs: [number, number][] = [];
    for (let i = 0; i + 1 < plan.open.length && merges > 0; i += 2, merges--) pairs.push([plan.open[i]!.index, plan.open[i + 1]!.index]);
    for (const [a, b] of pairs) plan.merge(a, b);
  }
  return plan;
}

const updateShardCount: Operation = (ctx, input) => {
  const target = optionalInteger(input, 'TargetShardCount', 1, 2_147_483_647);
  if (target === undefined) throw validation(undefined, 'targetShardCount', 'Member must not be null');
  const scalingType = requiredString(input, 'ScalingType');
  if (scalingType !== 'UNIFORM_SCALING') throw validation(scalingType, 'scalingType', 'Member must satisfy enum value set: [UNIFORM_SCALING]');
  const stream = reshardable(ctx, input);
  const current = stream.open.length;
  const counts = `Current open shard count: ${current} Target shard count: ${target}`;
  const limit = (message: string) => new AwsServiceError('LimitExceededException', message, 400);
  if (target > MAX_STREAM_SHARDS && current <= MAX_STREAM_SHARDS) {
    throw limit(`Target shard count or number of open shards cannot be greater than ${MAX_STREAM_SHARDS}. ${counts}`);
  }
  if (target > current * 2) throw limit(`UpdateShardCount cannot scale up over double your current open shard count. ${counts}`);
  if (target * 2 < current) throw limit(`UpdateShardCount cannot scale down below half your current open shard count. ${counts}`);
  const now = ctx.now();
  const recent = stream.scalings.filter((ms) => ms > now - DAY_MS);
  if (recent.length >= MAX_SCALINGS_PER_DAY) throw limit(`Cannot run UpdateShardCount more than ${MAX_SCALINGS_PER_DAY} times in a 24 hour period`);
  if (target > current) checkShardLimit(ctx, target - current);
  if (target !== current) {
    apply(ctx, stream, planScaling(stream, target));
    ctx.store.setScalings(stream, [...recent, now]);
  }
  return { StreamName: stream.name, CurrentShardCount: current, TargetShardCount: target, StreamARN: streamArn(ctx, stream.name) };
};

export const RESHARD_OPERATIONS: Record<string, Operation> = {
  SplitShard: splitShard,
  MergeShards: mergeShards,
  UpdateShardCount: updateShardCount,
};
