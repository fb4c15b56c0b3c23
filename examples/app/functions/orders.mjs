// SQS event source: each message is an order posted to POST /orders. Stores it in the orders table
// with its total; a message that is not a valid order is reported in batchItemFailures, so only it
// returns to the queue (and, after maxReceiveCount, goes to the dead-letter queue).
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const dynamodb = new DynamoDBClient({});

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const order = JSON.parse(record.body);
      if (!Array.isArray(order.items)) throw new Error('an order needs items');
      const total = order.items.reduce((sum, item) => sum + Number(item.price) * Number(item.qty ?? 1), 0);
      await dynamodb.send(
        new PutItemCommand({
          TableName: process.env.ORDERS_TABLE,
          Item: {
            id: { S: record.messageId },
            status: { S: 'received' },
            total: { N: String(total) },
            receivedAt: { S: new Date(Number(record.attributes.SentTimestamp)).toISOString() },
          },
        }),
      );
    } catch (error) {
      console.error(`order ${record.messageId} rejected: ${error.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
