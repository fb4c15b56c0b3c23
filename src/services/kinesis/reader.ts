/**
 * In-process read access to the embedded streams for the Kinesis event source (SAM `Events: Kinesis`,
 * `AWS::Lambda::EventSourceMapping`): shard listing, starting positions, batches and a wake-up signal
 * when records are committed, without going through HTTP.
 * AWS docs: Lambda developer guide, "Using Lambda with Kinesis Data Streams" (starting positions, batches).
 */
import { positionOf, readBatch, shardIndexOf, type StartingPosition } from './records.js';
import { decodeIterator, encodeIterator, sequenceNumber, shardId } from './sequence.js';
import { streamArn, streamNameOf, type KinesisContext } from './context.js';
import { retainedShards } from './shards.js';
import type { StreamInfo } from './store.js';
import { AwsServiceError } from '../protocol/errors.js';

export type { StartingPosition };

export interface KinesisRecordView {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  /** Epoch milliseconds. */
  approximateArrivalTimestamp: number;
}

/** A listed shard and its lineage: a child is read only once its parents are. */
export interface KinesisShardView {
  shardId: string;
  parentShardIds: string[];
  closed: boolean;
}

export interface KinesisReader {
  /** The stream's ARN when it exists (accepts a name or an ARN). */
  streamArn(nameOrArn: string): string | undefined;
  /** Open shards and closed ones whose records are still retained. */
  shards(nameOrArn: string): KinesisShardView[];
  /** A position token for `read`; unlike API shard iterators it does not expire. */
  iterator(nameOrArn: string, shard: string, start: StartingPosition): string;
  /** `ended`: the shard is closed and these were its last records. */
  read(iterator: string, limit: number): { records: KinesisRecordView[]; nextIterator: string; millisBehindLatest: number; ended: boolean };
  /** Called with the stream name and the shards that received records, after they are durable. */
  onAppend(listener: (streamName: string, shardIds: string[]) => void): () => void;
}

export function createReader(ctx: KinesisContext, listeners: Set<(streamName: string, shardIds: string[]) => void>): KinesisReader {
  const lookup = (nameOrArn: string): StreamInfo | undefined => {
    const name = streamNameOf(ctx, nameOrArn.startsWith('arn:') ? { StreamARN: nameOrArn } : { StreamName: nameOrArn });
    return ctx.store.get(name);
  };
  const required = (nameOrArn: string): StreamInfo => {
    const stream = lookup(nameOrArn);
    if (stream === undefined) throw new AwsServiceError('ResourceNotFoundException', `Stream ${nameOrArn} under account ${ctx.accountId} not found.`, 400);
    return stream;
  };
  return {
    streamArn: (nameOrArn) => {
      const stream = lookup(nameOrArn);
      return stream === undefined ? undefined : streamArn(ctx, stream.name);
    },
    shards: (nameOrArn) =>
      retainedShards(required(nameOrArn), ctx.now()).map((s) => ({ shardId: shardId(s.index), parentShardIds: s.parents.map(shardId), closed: s.closed !== undefined })),
    iterator(nameOrArn, shard, start) {
      const stream = required(nameOrArn);
      const shardIndex = shardIndexOf(ctx, stream, shard);
      return encodeIterator({ streamKey: stream.key, streamName: stream.name, shardIndex, position: positionOf(ctx, stream, shardIndex, start), issuedMs: 0 });
    },
    read(iterator, limit) {
      const state = decodeIterator(iterator);
      if (state === null) throw new AwsServiceError('InvalidArgumentException', 'Invalid ShardIterator.', 400);
      const stream = ctx.store.get(state.streamName);
      if (stream === undefined || stream.key !== state.streamKey) {
        throw new AwsServiceError('ResourceNotFoundException', `Stream ${state.streamName} under account ${ctx.accountId} not found.`, 400);
      }
      const batch = readBatch(ctx, stream, state.shardIndex, state.position, limit);
      return {
        records: batch.records.map((r) => ({
          shardId: shardId(state.shardIndex),
          sequenceNumber: sequenceNumber(state.shardIndex, r.counter),
          partitionKey: r.partitionKey,
          data: r.data,
          approximateArrivalTimestamp: r.arrivalMs,
        })),
        nextIterator: encodeIterator({ ...state, position: batch.next }),
        millisBehindLatest: batch.millisBehindLatest,
        ended: batch.ended,
      };
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
