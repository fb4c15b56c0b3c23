/**
 * The records Lambda hands a function, in AWS's shapes: SQS messages (system attributes, message
 * attributes with lower-case keys), Kinesis records (base64 data, arrival time in epoch seconds,
 * `shardId-...:seq` event ids); DynamoDB stream records come shaped from the embedded service.
 * Also what event filtering matches a record against (body or data parsed when it is JSON).
 * AWS docs: Lambda developer guide "Using Lambda with Amazon SQS" (example standard and FIFO queue
 * message events), "Using Lambda with Kinesis Data Streams" (example event), "Control which events
 * Lambda sends to your function" (filtering the body/data of JSON messages).
 */
import type { ReceivedMessage } from '../services/sqs/index.js';
import type { KinesisRecordView } from '../services/kinesis/index.js';
import type { FilterPolicy } from '../services/sns/filter-policy.js';
import { matchesDocument } from '../services/sns/filter-policy.js';

export type EventRecord = Record<string, unknown>;

export function sqsRecord(message: ReceivedMessage, region: string): EventRecord {
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    const attribute: Record<string, unknown> = {};
    if (value.StringValue !== undefined) attribute['stringValue'] = value.StringValue;
    if (value.BinaryValue !== undefined) attribute['binaryValue'] = value.BinaryValue;
    attribute['stringListValues'] = value.StringListValues ?? [];
    attribute['binaryListValues'] = value.BinaryListValues ?? [];
    attribute['dataType'] = value.DataType;
    messageAttributes[name] = attribute;
  }
  const record: EventRecord = {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
  };
  if (message.md5OfMessageAttributes !== undefined) record['md5OfMessageAttributes'] = message.md5OfMessageAttributes;
  record['eventSource'] = 'aws:sqs';
  record['eventSourceARN'] = message.eventSourceARN;
  record['awsRegion'] = region;
  return record;
}

export function kinesisRecord(view: KinesisRecordView, streamArn: string, region: string, roleArn: string): EventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: view.partitionKey,
      sequenceNumber: view.sequenceNumber,
      data: view.data.toString('base64'),
      approximateArrivalTimestamp: view.approximateArrivalTimestamp / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${view.shardId}:${view.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: roleArn,
    awsRegion: region,
    eventSourceARN: streamArn,
  };
}

/**
 * Whether a record passes the mapping's filters (any of them; none = all pass). SQS bodies and
 * Kinesis data are matched as JSON objects when they parse as one; Kinesis metadata sits beside
 * `data` at the top level, as the filtering guide's Kinesis examples show.
 */
export function passesFilters(filters: FilterPolicy[], record: EventRecord): boolean {
  if (filters.length === 0) return true;
  let document: Record<string, unknown> = record;
  if (typeof record['body'] === 'string') document = { ...record, body: parseJson(record['body']) };
  const kinesis = record['kinesis'] as Record<string, unknown> | undefined;
  if (kinesis !== undefined) {
    const data = Buffer.from(String(kinesis['data']), 'base64').toString('utf8');
    document = { ...record, ...kinesis, data: parseJson(data) };
  }
  return filters.some((filter) => matchesDocument(filter, document));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
