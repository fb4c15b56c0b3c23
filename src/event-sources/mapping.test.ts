/** Mapping properties, partial batch responses, filters and template mappings, without servers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDefinition } from '../definitions/index.js';
import { batchItemFailures } from './batch.js';
import { MappingError, normalizeMapping } from './mapping.js';
import { passesFilters } from './records.js';
import { templateMappings } from './template.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:jobs';
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
const TABLE_STREAM = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/1970-01-01T00:00:00.000';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:worker';
const make = (props: Record<string, unknown>) => normalizeMapping('u', FN, props, false, 0);

// Lambda API reference "CreateEventSourceMapping": BatchSize defaults (SQS 10, Kinesis and DynamoDB 100),
// MaximumBatchingWindowInSeconds 0..300, StartingPosition required for streams, MaximumRetryAttempts -1 (infinite).
describe('normalizeMapping', () => {
  it('fills in the defaults per source', () => {
    const sqs = make({ EventSourceArn: QUEUE });
    assert.equal(sqs.kind, 'sqs');
    assert.equal(sqs.batchSize, 10);
    assert.equal(sqs.enabled, true);
    const kinesis = make({ EventSourceArn: STREAM, StartingPosition: 'LATEST' });
    assert.equal(kinesis.batchSize, 100);
    assert.equal(kinesis.maximumRetryAttempts, -1);
    assert.equal(kinesis.maximumRecordAgeInSeconds, -1);
    assert.equal(make({ EventSourceArn: TABLE_STREAM, StartingPosition: 'TRIM_HORIZON', Enabled: false }).enabled, false);
  });

  it('rejects what the API rejects, naming the property', () => {
    const rejects = (props: Record<string, unknown>, message: RegExp) => assert.throws(() => make(props), (e: Error) => e instanceof MappingError && message.test(e.message));
    rejects({ EventSourceArn: QUEUE, BatchSize: 20 }, /^BatchSize: .*MaximumBatchingWindowInSeconds/);
    rejects({ EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:jobs.fifo', BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }, /^BatchSize: .* from 1 to 10$/);
    rejects({ EventSourceArn: STREAM }, /^StartingPosition: /);
    rejects({ EventSourceArn: QUEUE, StartingPosition: 'LATEST' }, /^StartingPosition: not supported/);
    rejects({ EventSourceArn: STREAM, StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 30 }, /^MaximumRecordAgeInSeconds: /);
    rejects({ EventSourceArn: QUEUE, FunctionResponseTypes: ['Other'] }, /^FunctionResponseTypes: /);
    rejects({ EventSourceArn: 'arn:aws:s3:::bucket' }, /^EventSourceArn: /);
    rejects({ EventSourceArn: QUEUE, FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, /^FilterCriteria\/Filters\/0\/Pattern: /);
  });
});

// Lambda developer guide "Handling errors for an SQS event source": an empty or null response or list is a
// success; an empty, null or unknown itemIdentifier fails the whole batch.
describe('batchItemFailures', () => {
  const ids = new Set(['a', 'b']);
  const of = (value: unknown) => batchItemFailures(Buffer.from(value === undefined ? '' : JSON.stringify(value)), ids);
  it('treats empty answers as success', () => {
    for (const value of [undefined, null, {}, { batchItemFailures: null }, { batchItemFailures: [] }]) assert.deepEqual(of(value), { kind: 'success' });
  });
  it('returns the failed ids, or fails the batch on a bad identifier', () => {
    assert.deepEqual(of({ batchItemFailures: [{ itemIdentifier: 'b' }] }), { kind: 'partial', failed: new Set(['b']) });
    for (const id of ['', null, 'zzz']) assert.equal(of({ batchItemFailures: [{ itemIdentifier: id }] }).kind, 'failure');
  });
});

// Lambda developer guide "Control which events Lambda sends to your function": patterns on the JSON body of
// SQS messages and the JSON data of Kinesis records; any filter of the list may match.
describe('event filtering', () => {
  const mapping = make({ EventSourceArn: QUEUE, FilterCriteria: { Filters: [{ Pattern: '{"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}}' }, { Pattern: '{"body": {"urgent": [true]}}' }] } });
  it('matches SQS bodies parsed as JSON', () => {
    assert.equal(passesFilters(mapping.filters, { body: '{"kind":"order","total":12}' }), true);
    assert.equal(passesFilters(mapping.filters, { body: '{"kind":"order","total":5}' }), false);
    assert.equal(passesFilters(mapping.filters, { body: '{"urgent":true}' }), true);
    assert.equal(passesFilters(mapping.filters, { body: 'plain text' }), false);
  });
  it('matches Kinesis data and metadata', () => {
    const kinesis = make({ EventSourceArn: STREAM, StartingPosition: 'LATEST', FilterCriteria: { Filters: [{ Pattern: '{"partitionKey": ["p1"], "data": {"n": [1]}}' }] } });
    const record = (key: string, data: unknown) => ({ kinesis: { partitionKey: key, data: Buffer.from(JSON.stringify(data)).toString('base64') } });
    assert.equal(passesFilters(kinesis.filters, record('p1', { n: 1 })), true);
    assert.equal(passesFilters(kinesis.filters, record('p2', { n: 1 })), false);
    assert.equal(passesFilters(kinesis.filters, record('p1', { n: 2 })), false);
  });
});

describe('templateMappings', () => {
  const load = async (resources: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-esm-'));
    try {
      const file = path.join(dir, 'template.yaml');
      writeFileSync(
        file,
        `Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: exports.handler = async () => {}
${resources}`,
      );
      return await loadDefinition(file, {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reads SAM SQS events and EventSourceMapping resources', async () => {
    const project = await load(`      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 5, FunctionResponseTypes: [ReportBatchItemFailures]}}
  Extra:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !GetAtt Worker.Arn, EventSourceArn: !GetAtt Jobs.Arn, Enabled: false}
`);
    const mappings = templateMappings(project, 0);
    assert.deepEqual(
      mappings.map((m) => [m.eventSourceArn, m.functionArn, m.batchSize, m.reportBatchItemFailures, m.enabled]),
      [
        [QUEUE, FN, 5, true, true],
        [QUEUE, FN, 10, false, false],
      ],
    );
    assert.notEqual(mappings[0]!.uuid, mappings[1]!.uuid);
  });

  it('names the file and the JSON pointer of a broken mapping', async () => {
    const project = await load(`      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 50}}
`);
    assert.throws(() => templateMappings(project, 0), /template\.yaml#\/Resources\/Worker\/Properties\/Events\/Jobs\/Properties\/BatchSize: .*MaximumBatchingWindowInSeconds/);
  });
});
