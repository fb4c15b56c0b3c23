/**
 * The AWS CLI v1 (botocore) against the embedded DynamoDB: put-item, get-item and query, as a user
 * would run them with `--endpoint-url` (AWS CLI Command Reference "dynamodb").
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startEndpoint, type TestEndpoint } from './testing.js';

const run = promisify(execFile);
let ep: TestEndpoint;

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  try {
    const { stdout, stderr } = await run('aws', ['--endpoint-url', ep.url, '--output', 'json', 'dynamodb', ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

before(async () => {
  ep = await startEndpoint();
  await ep.client.send(
    new CreateTableCommand({
      TableName: 'cli',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
after(() => ep.close(true));

describe('AWS CLI v1', () => {
  it('puts, gets and queries items', async () => {
    // Each CLI run costs seconds of Python start-up: one sequential put, then the reads in parallel.
    await ep.client.send(new PutItemCommand({ TableName: 'cli', Item: { pk: { S: 'p' }, sk: { N: '10' }, name: { S: 'ten' } } }));
    const put = await aws('put-item', '--table-name', 'cli', '--item', '{"pk":{"S":"p"},"sk":{"N":"2"},"name":{"S":"two"}}', '--condition-expression', 'attribute_not_exists(pk)');
    assert.equal(put.code, 0, put.stderr);
    const [get, query] = await Promise.all([
      aws('get-item', '--table-name', 'cli', '--key', '{"pk":{"S":"p"},"sk":{"N":"2"}}'),
      aws('query', '--table-name', 'cli', '--key-condition-expression', 'pk = :p AND sk > :min', '--expression-attribute-values', '{":p":{"S":"p"},":min":{"N":"1"}}', '--no-paginate'),
    ]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout), { Item: { pk: { S: 'p' }, sk: { N: '2' }, name: { S: 'two' } } });
    assert.equal(query.code, 0, query.stderr);
    const result = JSON.parse(query.stdout) as { Items: { sk: { N: string } }[]; Count: number; ScannedCount: number };
    assert.deepEqual(
      result.Items.map((i) => i.sk.N),
      ['2', '10'],
    );
    assert.equal(result.Count, 2);
  });
});
