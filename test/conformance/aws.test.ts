// Unit tests of AWS output normalisation, error shapes and the optional-package errors.

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AwsClients, errorShape, normaliseOutput } from './aws.js';
import { CaseFormatError, SetupError } from './errors.js';
import { checkExpectations } from './steps.js';
import { importOptional } from './optional-import.js';
import { signTokens } from './tokens.js';
import { getSigningKey } from './upstream.js';

describe('normaliseOutput', () => {
  it('drops top-level $metadata and undefined values, turns bytes, dates and streams into text', async () => {
    const output = {
      $metadata: { httpStatusCode: 200 },
      Data: new TextEncoder().encode('{"a": 1}'),
      When: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      Missing: undefined,
      Body: { transformToString: async () => 'from sdk mixin' },
      Stream: Readable.from([Buffer.from('chunk1 '), Buffer.from('chunk2')]),
      Records: [{ Data: Buffer.from('x'), Nested: { $metadata: 'kept below the top' } }],
    };
    assert.deepEqual(await normaliseOutput(output), {
      Data: '{"a": 1}',
      When: '2024-01-02T03:04:05.000Z',
      Body: 'from sdk mixin',
      Stream: 'chunk1 chunk2',
      Records: [{ Data: 'x', Nested: { $metadata: 'kept below the top' } }],
    });
  });
});

describe('aws step expectations', () => {
  it('matches expect.error as a subset of {name, message, statusCode, fault}', () => {
    const err = Object.assign(new Error('The specified key does not exist.'), {
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
      $fault: 'client',
    });
    const shape = errorShape(err);
    assert.deepEqual(shape, { name: 'NoSuchKey', message: 'The specified key does not exist.', statusCode: 404, fault: 'client' });
    assert.deepEqual(checkExpectations({ error: { name: 'NoSuchKey', statusCode: '<<re:^4>>' } }, { kind: 'aws-error', error: shape }), []);
    assert.equal(checkExpectations({ error: { name: 'Other' } }, { kind: 'aws-error', error: shape }).length, 1);
    assert.match(checkExpectations({}, { kind: 'aws-error', error: shape })[0] ?? '', /the call failed: NoSuchKey/);
    assert.match(checkExpectations({ error: { name: 'NoSuchKey' } }, { kind: 'aws', output: {} })[0] ?? '', /expected the call to fail/);
  });

  it('compares output with json and jsonSubset', () => {
    const outcome = { kind: 'aws' as const, output: { Count: 0, Items: [] } };
    assert.deepEqual(checkExpectations({ jsonSubset: { Count: 0 }, json: { Count: 0, Items: [] } }, outcome), []);
    assert.equal(checkExpectations({ json: { Count: 0 } }, outcome).length, 1);
  });
});

describe('optional packages', () => {
  it('a package that is not installed gives a SetupError naming it', async () => {
    await assert.rejects(importOptional('@conformance/not-a-real-package', 'a test'), (err: unknown) => {
      assert.ok(err instanceof SetupError);
      assert.match(err.message, /@conformance\/not-a-real-package/);
      return true;
    });
  });

  it('an unknown service is a case error', async () => {
    await assert.rejects(new AwsClients('http://127.0.0.1:1').send('ec2', 'DescribeInstances', {}), CaseFormatError);
  });

  it('no tokens need no jose', async () => {
    assert.equal((await signTokens({}, await getSigningKey(), 'http://x', (v) => v)).size, 0);
  });
});
