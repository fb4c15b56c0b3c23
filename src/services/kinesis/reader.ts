/**
 * In-process read access to the embedded streams for the Kinesis event source (SAM `Events: Kinesis`,
 * `AWS::Lambda::EventSourceMapping`): shard listing, starting positions, batches and a wake-up signal
 * when records are committed, without going through HTTP.
 * AWS docs: Lambda developer guide, "Using Lambda with Kinesis Data Streams" (starting positions, batches).
 */
import { positionOf, readBatch, shardIndexOf, type StartingPosition } from './records.js';
import { decodeIterator, encodeIterator, sequenceNumber, shardId } from './sequence.js';
import { streamArn, streamNameOf, type KinesisContext } from './context.js';
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

export interface KinesisReader {
  /** The stream's ARN when it exists (accepts a name or an ARN). */
  streamArn(nameOrArn: string): string | undefined;
  shardIds(nameOrArn: string): string[];
  /** A position token for `read`; unlike API shard iterators it does not expire. */
  iterator(nameOrArn: string, shard: string, start: StartingPosition): string;
  read(iterator: string, limit: number): { records: KinesisRecordView[]; nextIterator: string; millisBehindLatest: number };
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
    shardIds: (nameOrArn) => required(nameOrArn).shards.map((s) => shardId(s.index)),
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
      };
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
