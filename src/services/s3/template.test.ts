// Template buckets and bucket policies that S3 refuses fail start, naming the resource, as the
// stack fails on AWS: S3 API Reference "CreateBucket" (InvalidBucketName, "The specified bucket is
// not valid."), S3 User Guide "General purpose bucket naming rules", S3 API Reference
// "PutBucketPolicy" (MalformedPolicy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../core/log.js';
import type { TemplateResource } from '../../definitions/model.js';
import { s3Service } from './index.js';
import { templateResource, testProject } from './testing.js';

async function start(resources: TemplateResource[]): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-template-'));
  try {
    const service = await s3Service({ dataDir, region: 'us-east-1', accountId: '000000000000', endpoint: 'http://127.0.0.1:4566', log: createLogger('silent'), project: testProject(resources) });
    await service.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('a template bucket whose name breaks the naming rules fails start, naming the resource', async () => {
  // Uppercase letters and underscores are not allowed in general purpose bucket names.
  await assert.rejects(start([templateResource('Logs', 'AWS::S3::Bucket', 'My_Logs')]), /\/Resources\/Logs: AWS::S3::Bucket Logs: bucket name "My_Logs" is not valid/);
});

test('a malformed template bucket policy fails start, naming the resource', async () => {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Permit', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*' }] };
  await assert.rejects(
    start([templateResource('Site', 'AWS::S3::Bucket', 'site'), templateResource('SitePolicy', 'AWS::S3::BucketPolicy', 'SitePolicy', { Bucket: 'site', PolicyDocument: policy })]),
    /\/Resources\/SitePolicy: AWS::S3::BucketPolicy SitePolicy: MalformedPolicy: Invalid effect: Permit/,
  );
});

test('valid template buckets and policies start', async () => {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site.example-1/*' }] };
  await start([templateResource('Site', 'AWS::S3::Bucket', 'site.example-1'), templateResource('SitePolicy', 'AWS::S3::BucketPolicy', 'SitePolicy', { Bucket: 'site.example-1', PolicyDocument: policy })]);
});
