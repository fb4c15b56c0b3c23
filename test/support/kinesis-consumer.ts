/**
 * Test support: a gatehouse serving one Kinesis stream `feed` (one shard) that triggers the function
 * `consumer` (SAM `Events` of type Kinesis, TRIM_HORIZON, the given extra properties), an SDK client
 * for the stream, and the JSON lines the function appends to files beside its code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { startTestGateway, type TestGateway } from './gateway.js';

export interface KinesisConsumer {
  gw: TestGateway;
  kinesis: KinesisClient;
  /** The JSON lines of `fn/<name>.jsonl`, as the function wrote them. */
  lines<T>(name: string): T[];
  close(): Promise<void>;
}

/** The template: stream `feed` (one shard) triggering function `consumer` from code folder `fn`; `properties` as in startKinesisConsumer. */
export function kinesisConsumerTemplate(properties = ''): string {
  return `
Transform: AWS::Serverless-2016-10-31
Resources:
  Feed:
    Type: AWS::Kinesis::Stream
    Properties: {Name: feed, ShardCount: 1}
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: consumer
      Runtime: nodejs20.x
      CodeUri: fn
      Handler: consumer.handler
      Timeout: 5
      Events:
        Feed:
          Type: Kinesis
          Properties: {Stream: !GetAtt Feed.Arn, StartingPosition: TRIM_HORIZON${properties ? `, ${properties}` : ''}}
`;
}

/** `handler`: the source of fn/consumer.mjs; `properties`: more Kinesis event properties, as YAML flow mapping entries. */
export async function startKinesisConsumer(handler: string, properties: string): Promise<KinesisConsumer> {
  const template = kinesisConsumerTemplate(properties);
  const gw = await startTestGateway(template, { fileName: 'template.yaml', files: { 'fn/consumer.mjs': handler } });
  const kinesis = new KinesisClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return {
    gw,
    kinesis,
    lines<T>(name: string): T[] {
      const file = join(gw.dir, 'fn', `${name}.jsonl`);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
    },
    async close() {
      kinesis.destroy();
      await gw.close();
    },
  };
}
