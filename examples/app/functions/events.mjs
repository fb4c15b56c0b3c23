// Kinesis event source: counts the events posted to POST /events per type (records of a shard
// arrive in order; a failed batch is retried before the shard moves on).
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const dynamodb = new DynamoDBClient({});

export const handler = async (event) => {
  const counts = new Map();
  for (const record of event.Records) {
    const { type } = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  for (const [type, count] of counts) {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.COUNTS_TABLE,
        Key: { type: { S: String(type) } },
        UpdateExpression: 'ADD #n :n',
        ExpressionAttributeNames: { '#n': 'count' },
        ExpressionAttributeValues: { ':n': { N: String(count) } },
      }),
    );
  }
};
