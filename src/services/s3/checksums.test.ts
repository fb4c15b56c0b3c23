// Check values of the CRC catalogue ("123456789") for the algorithms S3 supports (User Guide,
// checking-object-integrity.html names CRC-64/NVME, CRC-32, CRC-32C); values are base64 big-endian.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumOf, checksummer } from './checksums.js';

const check = Buffer.from('123456789');
const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

test('CRC32, CRC32C and CRC64NVME match their catalogue check values', () => {
  assert.equal(hex(checksumOf('CRC32', check)), 'cbf43926');
  assert.equal(hex(checksumOf('CRC32C', check)), 'e3069283');
  assert.equal(hex(checksumOf('CRC64NVME', check)), 'ae8b14860a799888');
});

test('SHA1 and SHA256 are the plain digests', () => {
  assert.equal(hex(checksumOf('SHA1', check)), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  assert.equal(hex(checksumOf('SHA256', check)), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
});

test('incremental updates equal one update over the whole input', () => {
  const data = Buffer.from(Array.from({ length: 10000 }, (_, i) => (i * 31) & 255));
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'] as const) {
    const sum = checksummer(algorithm);
    sum.update(data.subarray(0, 1234));
    sum.update(data.subarray(1234, 1235));
    sum.update(data.subarray(1235));
    assert.equal(sum.digest().toString('base64'), checksumOf(algorithm, data), algorithm);
  }
});
