// Bucket policy evaluation for anonymous callers (IAM User Guide, reference_policies_evaluation-logic.html:
// an explicit Deny overrides any Allow; no Allow means denied).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from '../../protocol/errors.js';
import { allowsAnonymous, objectArn, validatePolicy } from './policy.js';

const publicRead = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/public/*' },
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['s3:Get*'], Resource: 'arn:aws:s3:::site/public/secret-?.txt' },
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: 'arn:aws:s3:::site/*' },
    { Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::site/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
  ],
});

test('Allow with wildcards for "Principal": "*", explicit Deny wins, other principals and conditions grant nothing', () => {
  assert.equal(allowsAnonymous(publicRead, 's3:GetObject', objectArn('site', 'public/index.html')), true);
  assert.equal(allowsAnonymous(publicRead, 'S3:getobject', objectArn('site', 'public/a/b.png')), true);
  assert.equal(allowsAnonymous(publicRead, 's3:GetObject', objectArn('site', 'private/x')), false);
  assert.equal(allowsAnonymous(publicRead, 's3:GetObject', objectArn('site', 'public/secret-1.txt')), false);
  assert.equal(allowsAnonymous(publicRead, 's3:PutObject', objectArn('site', 'public/x')), false);
  assert.equal(allowsAnonymous(null, 's3:GetObject', objectArn('site', 'public/x')), false);
});

test('PutBucketPolicy validation: MalformedPolicy for non-JSON or a bad Effect', () => {
  validatePolicy(publicRead);
  for (const bad of ['not json', '[1]', '{"Statement":[{"Effect":"Maybe"}]}', '{"Version":"2012-10-17"}']) {
    assert.throws(() => validatePolicy(bad), (e: unknown) => e instanceof AwsServiceError && e.code === 'MalformedPolicy', bad);
  }
});
