/** `--config`: the service settings file is read, and what it gets wrong is named with its pointer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, readServeConfig } from './config-file.js';

function withFile(text: string, check: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  try {
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(file, text);
    check(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('reads targets, signature verification and access keys from YAML', () => {
  withFile('targets: {dynamodb: aws, s3: "http://127.0.0.1:9000"}\nverifySignatures: true\naccessKeys: {AKIDEXAMPLE: secret}\n', (file) => {
    assert.deepEqual(readServeConfig(file), {
      targets: { dynamodb: 'aws', s3: 'http://127.0.0.1:9000' },
      verifySignatures: true,
      accessKeys: { AKIDEXAMPLE: 'secret' },
    });
  });
  withFile('', (file) => assert.deepEqual(readServeConfig(file), { targets: {}, verifySignatures: false, accessKeys: {} }));
});

test('names the setting that is wrong', () => {
  withFile('target: {s3: aws}\n', (file) => assert.throws(() => readServeConfig(file), (e: Error) => e instanceof ConfigFileError && e.message === `${file}#/target: unknown setting (known: targets, verifySignatures, accessKeys)`));
  withFile('verifySignatures: yes please\n', (file) => assert.throws(() => readServeConfig(file), /#\/verifySignatures: expected true or false/));
  withFile('targets: {s3: 9000}\n', (file) => assert.throws(() => readServeConfig(file), /#\/targets\/s3: expected a string/));
});
