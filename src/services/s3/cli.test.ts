// The AWS CLI v1 against the embedded S3 (`aws --endpoint-url ... s3 cp / ls / rm`): the
// high-level commands use CreateBucket, PutObject (CRC32 checksums), multipart upload for files
// of 8 MiB and more (the CLI's default multipart_threshold), ListObjectsV2 with encoding-type=url,
// HeadObject and GetObject. AWS CLI docs: "s3" commands and "AWS CLI S3 Configuration".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startS3, type TestS3 } from './testing.js';

let s3: TestS3;
let dir: string;

before(async () => {
  s3 = await startS3();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-cli-'));
});
after(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

function aws(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  };
  return new Promise((resolve, reject) => {
    execFile('aws', ['--endpoint-url', s3.url, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`aws ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

test('aws s3 cp (small and multipart) / ls / cp back / rm, recursively', async () => {
  // Each CLI start costs seconds: the bucket is made over HTTP, and the CLI runs four times, two at once.
  const create = await fetch(`${s3.url}/cli-bucket`, { method: 'PUT', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' } });
  assert.equal(create.status, 200);
  const up = join(dir, 'up');
  const down = join(dir, 'down');
  mkdirSync(join(up, 'docs'), { recursive: true });
  const largeData = randomBytes(9 * 1024 * 1024);
  writeFileSync(join(up, 'docs', 'hello world.txt'), 'hello from the cli\n');
  writeFileSync(join(up, 'large.bin'), largeData);

  await aws('s3', 'cp', up, 's3://cli-bucket/up/', '--recursive');
  const [top] = await Promise.all([aws('s3', 'ls', 's3://cli-bucket/up/'), aws('s3', 'cp', 's3://cli-bucket/up/', down, '--recursive')]);
  assert.match(top, /PRE docs\//);
  assert.match(top, /\s9437184 large\.bin/);
  assert.ok(readFileSync(join(down, 'large.bin')).equals(largeData));
  assert.equal(readFileSync(join(down, 'docs', 'hello world.txt'), 'utf8'), 'hello from the cli\n');

  await aws('s3', 'rm', 's3://cli-bucket/up/', '--recursive');
  const listed = await fetch(`${s3.url}/cli-bucket?list-type=2`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' } });
  assert.match(await listed.text(), /<KeyCount>0<\/KeyCount>/);
});
