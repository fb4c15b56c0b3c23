/**
 * The two streams a StreamPoller reads, behind one ShardSource: Kinesis (positions are the
 * reader's non-expiring iterators, one loop per shard, shards with their parents after a reshard)
 * and DynamoDB Streams (positions are sequence numbers; the embedded table stream is one shard,
 * named by the stream ARN, that never closes).
 * AWS docs: Lambda developer guide "Using Lambda with Kinesis Data Streams" (example event, starting
 * positions), "Using AWS Lambda with Amazon DynamoDB" (example event).
 */
import type { KinesisReader } from '../services/kinesis/index.js';
import type { DynamoDbService } from '../services/dynamodb/index.js';
import type { EventSourceMapping } from './mapping.js';
import { kinesisRecord } from './records.js';
import type { ShardSource } from './stream-poller.js';

export function kinesisSource(reader: KinesisReader, mapping: EventSourceMapping, region: string, roleArn: string): ShardSource {
  const stream = mapping.eventSourceArn;
  return {
    shards: () => reader.shards(stream).map((s) => ({ id: s.shardId, parents: s.parentShardIds, closed: s.closed })),
    start(shard, afterParents) {
      let type = mapping.startingPosition ?? 'LATEST';
      // A child of shards read to their end holds only records written after the mapping started.
      if (afterParents && type === 'LATEST') type = 'TRIM_HORIZON';
      return reader.iterator(stream, shard, type === 'AT_TIMESTAMP' ? { type, timestampMs: (mapping.startingPositionTimestamp ?? 0) * 1000 } : { type });
    },
    read(_shard, position, limit) {
      const batch = reader.read(position, limit);
      return {
        records: batch.records.map((view) => ({
          record: kinesisRecord(view, stream, region, roleArn),
          sequenceNumber: view.sequenceNumber,
          arrivalMs: view.approximateArrivalTimestamp,
          key: view.partitionKey,
        })),
        next: batch.nextIterator,
        ended: batch.ended,
      };
    },
    onAppend(listener) {
      const name = stream.slice(stream.indexOf(':stream/') + ':stream/'.length);
      return reader.onAppend((streamName, shards) => {
        if (streamName === name) listener(shards);
      });
    },
  };
}

export function dynamodbSource(dynamodb: DynamoDbService, mapping: EventSourceMapping): ShardSource {
  const arn = mapping.eventSourceArn;
  const table = /:table\/([^/]+)\/stream\//.exec(arn)![1]!;
  return {
    shards: () => [{ id: arn, parents: [], closed: false }],
    // TRIM_HORIZON reads every retained record: from before the first sequence number.
    start: () => (mapping.startingPosition === 'LATEST' ? dynamodb.latestStreamSequence() : ''),
    read(_shard, position, limit) {
      const records = dynamodb.readStreamRecords(table, position === '' ? undefined : position, limit);
      const last = records.at(-1);
      return {
        records: records.map((record) => ({
          record: record as unknown as Record<string, unknown>,
          sequenceNumber: String(record.dynamodb['SequenceNumber']),
          arrivalMs: Number(record.dynamodb['ApproximateCreationDateTime']) * 1000,
          key: JSON.stringify(record.dynamodb['Keys'] ?? null),
        })),
        next: last === undefined ? position : String(last.dynamodb['SequenceNumber']),
        ended: false,
      };
    },
    onAppend: (listener) =>
      dynamodb.onStreamAppend((tables) => {
        if (tables.has(table)) listener([arn]);
      }),
  };
}
