/**
 * The AWS operations the service benchmarks drive through the official SDK v3 clients: each
 * prepares what it needs on a target (idempotently: rounds repeat it) and returns one operation
 * to call in a loop. Every target gets exactly the same client settings.
 */
import { Agent } from 'node:http';
import { randomUUID } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateStateMachineCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';

export type OperationName =
  | 's3-put-object'
  | 's3-get-object'
  | 'dynamodb-put-item'
  | 'dynamodb-get-item'
  | 'sqs-send-message'
  | 'sqs-receive-delete'
  | 'kinesis-put-record'
  | 'sfn-start-sync-execution';

export interface PreparedOperation {
  /** One operation; resolves with the HTTP status of its (last) response, rejects on an error. */
  run(): Promise<number>;
  /** What the operation had to do besides its own calls (e.g. queue refills), for the report. */
  notes(): string[];
  close(): void;
}

/**
 * The settings every target's client gets: HTTP/1.1 keep-alive with one socket per operation in
 * flight, no retries, and the middleware stack resolved once per command type (`cacheMiddleware`,
 * the SDK's own option for clients that send many commands) rather than on every call.
 */
function clientConfig(endpoint: string, inFlight: number) {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDBENCHMARK0000000', secretAccessKey: 'bench-secret' },
    maxAttempts: 1,
    cacheMiddleware: true,
    // Host prefixes (StartSyncExecution's 'sync-') would turn 127.0.0.1 into an unknown host name.
    disableHostPrefix: true,
    // HTTP/1.1 for every client: moto speaks no HTTP/2 (the Kinesis client's default).
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: inFlight }) }),
  };
}

/** Ignores the "already exists" answer of a create call, so preparing twice is harmless. */
async function idempotent(call: Promise<unknown>, ...alreadyExists: string[]): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!alreadyExists.includes((error as Error).name)) throw error;
  }
}

/** Runs `count` calls of `call(i)` with at most `inFlight` at a time. */
async function fill(count: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

const BUCKET = 'bench-bucket';
const OBJECT_BODY = Buffer.alloc(1024, 'x');
const TABLE = 'bench-table';
const QUEUE = 'bench-queue';
const STREAM = 'bench-stream';
const MACHINE = 'bench-express';
/** Messages put in the queue before ReceiveMessage+DeleteMessage, and per refill when it runs dry. */
const QUEUE_BACKLOG = 100;
const REFILL = 10;

function item(id: string): Record<string, AttributeValue> {
  return { pk: { S: id }, name: { S: `item ${id}` }, price: { N: '12.5' }, tags: { SS: ['a', 'b'] }, payload: { S: 'x'.repeat(128) } };
}

async function s3(endpoint: string, inFlight: number): Promise<S3Client> {
  const client = new S3Client({
    ...clientConfig(endpoint, inFlight),
    forcePathStyle: true,
    // Both targets would accept checksums; the SDK's CRC32 over each body only adds client CPU.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await idempotent(client.send(new CreateBucketCommand({ Bucket: BUCKET })), 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists');
  return client;
}

async function dynamodb(endpoint: string, inFlight: number): Promise<DynamoDBClient> {
  const client = new DynamoDBClient(clientConfig(endpoint, inFlight));
  await idempotent(
    client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
    'ResourceInUseException',
  );
  return client;
}

async function sqs(endpoint: string, inFlight: number): Promise<{ client: SQSClient; queueUrl: string }> {
  const client = new SQSClient(clientConfig(endpoint, inFlight));
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: QUEUE }));
  return { client, queueUrl: QueueUrl! };
}

function sendBatch(client: SQSClient, queueUrl: string, count: number) {
  return client.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Array.from({ length: count }, (_, i) => ({ Id: String(i), MessageBody: `{"order":"${randomUUID()}","amount":12.5}` })),
    }),
  );
}

const noNotes = () => [];

/**
 * Prepares an operation for `inFlight` concurrent calls; `prefill` (one load process of several)
 * also writes the data the operation reads.
 */
export const OPERATIONS: Record<OperationName, (endpoint: string, inFlight: number, prefill: boolean) => Promise<PreparedOperation>> = {
  async 's3-put-object'(endpoint, inFlight) {
    const client = await s3(endpoint, inFlight);
    // Unique keys across load processes.
    const prefix = randomUUID().slice(0, 8);
    let n = 0;
    return {
      run: async () => (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `put/${prefix}/${n++}`, Body: OBJECT_BODY }))).$metadata.httpStatusCode!,
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 's3-get-object'(endpoint, inFlight) {
    const client = await s3(endpoint, inFlight);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'get/object', Body: OBJECT_BODY }));
    return {
      async run() {
        const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/object' }));
        const body = await answer.Body!.transformToByteArray();
        if (body.length !== OBJECT_BODY.length) throw new Error(`GetObject returned ${body.length} bytes, expected ${OBJECT_BODY.length}`);
        return answer.$metadata.httpStatusCode!;
      },
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 'dynamodb-put-item'(endpoint, inFlight) {
    const client = await dynamodb(endpoint, inFlight);
    const prefix = randomUUID().slice(0, 8);
    let n = 0;
    return {
      run: async () => (await client.send(new PutItemCommand({ TableName: TABLE, Item: item(`put-${prefix}-${n++}`) }))).$metadata.httpStatusCode!,
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 'dynamodb-get-item'(endpoint, inFlight, prefill) {
    const client = await dynamodb(endpoint, inFlight);
    const keys = 1000;
    if (prefill) await fill(keys, inFlight, (i) => client.send(new PutItemCommand({ TableName: TABLE, Item: item(`get-${i}`) })));
    let n = 0;
    return {
      async run() {
        const answer = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `get-${n++ % keys}` } } }));
        if (answer.Item === undefined) throw new Error('GetItem found no item');
        return answer.$metadata.httpStatusCode!;
      },
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 'sqs-send-message'(endpoint, inFlight) {
    const { client, queueUrl } = await sqs(endpoint, inFlight);
    return {
      run: async () =>
        (await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `{"order":"${randomUUID()}","amount":12.5}` }))).$metadata.httpStatusCode!,
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 'sqs-receive-delete'(endpoint, inFlight, prefill) {
    const { client, queueUrl } = await sqs(endpoint, inFlight);
    if (prefill) await fill(QUEUE_BACKLOG / 10, inFlight, () => sendBatch(client, queueUrl, 10));
    let refills = 0;
    return {
      // One operation = one message received and deleted; a dry queue is refilled inside the
      // operation (its time counts, so a fast receiver is, if anything, under-reported).
      async run() {
        for (;;) {
          const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
          const message = Messages?.[0];
          if (message === undefined) {
            refills++;
            await sendBatch(client, queueUrl, REFILL);
            continue;
          }
          return (await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }))).$metadata.httpStatusCode!;
        }
      },
      notes: () => (refills ? [`the queue ran dry ${refills} time(s): ${refills} SendMessageBatch of ${REFILL} inside the measured operations`] : []),
      close: () => client.destroy(),
    };
  },

  async 'kinesis-put-record'(endpoint, inFlight) {
    const client = new KinesisClient(clientConfig(endpoint, inFlight));
    await idempotent(client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 })), 'ResourceInUseException');
    for (let i = 0; ; i++) {
      const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (i > 100) throw new Error(`stream ${STREAM} is not ACTIVE after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const data = Buffer.from(JSON.stringify({ event: 'click', page: '/home', user: 'u-1' }));
    let n = Math.floor(Math.random() * 1e6);
    return {
      run: async () => (await client.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: `user-${n++}`, Data: data }))).$metadata.httpStatusCode!,
      notes: noNotes,
      close: () => client.destroy(),
    };
  },

  async 'sfn-start-sync-execution'(endpoint, inFlight) {
    const client = new SFNClient(clientConfig(endpoint, inFlight));
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name: MACHINE,
        type: 'EXPRESS',
        roleArn: 'arn:aws:iam::000000000000:role/bench',
        definition: JSON.stringify(EXPRESS_MACHINE),
      }),
    );
    return {
      async run() {
        const answer = await client.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"order":"o-1","items":[{"price":2},{"price":3}]}' }));
        if (answer.status !== 'SUCCEEDED') throw new Error(`execution ${answer.status}: ${answer.error ?? ''} ${answer.cause ?? ''}`);
        return answer.$metadata.httpStatusCode!;
      },
      notes: noNotes,
      close: () => client.destroy(),
    };
  },
};

/** Three states: reshape the input, compute with an intrinsic, succeed. */
const EXPRESS_MACHINE = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'order.$': '$.order', 'count.$': 'States.ArrayLength($.items)' }, Next: 'Price' },
    Price: { Type: 'Pass', Result: { currency: 'EUR' }, ResultPath: '$.price', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
