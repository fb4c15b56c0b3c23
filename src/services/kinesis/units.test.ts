/**
 * Hash key ranges, sequence numbers, retention and the CBOR codec.
 * Kinesis API reference "PutRecord" (MD5 of the partition key as a 128-bit hash key), "HashKeyRange";
 * developer guide "Changing the data retention period"; RFC 8949 (CBOR).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evenRanges, MAX_HASH_KEY, parseExplicitHashKey, partitionKeyHash, rangeIndexOf } from './hash-keys.js';
import { decodeIterator, encodeIterator, parseSequenceNumber, sequenceNumber } from './sequence.js';
import { decodeCbor, encodeCbor } from './cbor.js';
import { Bytes, Timestamp, type KinesisContext } from './context.js';
import { KinesisStore } from './store.js';
import { readBatch } from './records.js';

describe('hash keys', () => {
  it('reads the MD5 digest of the partition key as an unsigned 128-bit integer', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    assert.equal(partitionKeyHash(''), 0xd41d8cd98f00b204e9800998ecf8427en);
  });
  it('splits the key space into contiguous ranges ending at 2^128-1', () => {
    for (const n of [1, 3, 4, 7]) {
      const ranges = evenRanges(n);
      assert.equal(ranges[0]!.start, 0n);
      assert.equal(ranges[n - 1]!.end, MAX_HASH_KEY);
      for (let i = 1; i < n; i++) assert.equal(ranges[i]!.start, ranges[i - 1]!.end + 1n);
    }
  });
  it('finds the range of a key at the boundaries', () => {
    const ranges = evenRanges(4).map((range) => ({ range }));
    assert.equal(rangeIndexOf(ranges, 0n), 0);
    assert.equal(rangeIndexOf(ranges, ranges[1]!.range.start - 1n), 0);
    assert.equal(rangeIndexOf(ranges, ranges[1]!.range.start), 1);
    assert.equal(rangeIndexOf(ranges, MAX_HASH_KEY), 3);
  });
  it('accepts explicit hash keys only within [0, 2^128-1]', () => {
    assert.equal(parseExplicitHashKey('0'), 0n);
    assert.equal(parseExplicitHashKey(MAX_HASH_KEY.toString()), MAX_HASH_KEY);
    assert.equal(parseExplicitHashKey((MAX_HASH_KEY + 1n).toString()), null);
    assert.equal(parseExplicitHashKey('-1'), null);
    assert.equal(parseExplicitHashKey('12a'), null);
  });
});

describe('sequence numbers and iterators', () => {
  it('orders sequence numbers numerically within a shard and encodes the shard', () => {
    const a = sequenceNumber(2, 9);
    const b = sequenceNumber(2, 10);
    assert.ok(BigInt(a) < BigInt(b));
    assert.match(a, /^\d{56}$/);
    assert.deepEqual(parseSequenceNumber(b), { shardIndex: 2, counter: 10 });
    assert.equal(parseSequenceNumber('123'), null);
  });
  it('round-trips iterator state and rejects foreign tokens', () => {
    const state = { streamKey: 3, streamName: 's', shardIndex: 1, position: 42, issuedMs: 1000 };
    assert.deepEqual(decodeIterator(encodeIterator(state)), state);
    assert.equal(decodeIterator('not-an-iterator'), null);
  });
});

describe('retention', () => {
  it('skips records older than the retention period on read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-kinesis-unit-'));
    const store = new KinesisStore(path.join(dir, 'k.sqlite'));
    try {
      let now = 1_000_000_000;
      const ctx: KinesisContext = { store, region: 'us-east-1', accountId: '000000000000', now: () => now, appended: () => {} };
      const stream = store.create('s', 1, 'PROVISIONED', 24, {}, now);
      await store.append(stream, [{ shardIndex: 0, partitionKey: 'a', data: Buffer.from('old') }], now);
      now += 23 * 3_600_000;
      await store.append(stream, [{ shardIndex: 0, partitionKey: 'a', data: Buffer.from('new') }], now);
      assert.deepEqual(readBatch(ctx, stream, 0, 1, 10).records.map((r) => r.data.toString()), ['old', 'new']);
      now += 2 * 3_600_000; // the first record is now 25 hours old
      const batch = readBatch(ctx, stream, 0, 1, 10);
      assert.deepEqual(batch.records.map((r) => r.data.toString()), ['new']);
      store.trim(now);
      assert.deepEqual(store.read(stream, 0, 0, 0, 10).map((r) => r.data.toString()), ['new']);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cbor', () => {
  it('round-trips maps, arrays, strings, integers, floats, booleans, null and byte strings', () => {
    const value = { s: 'héllo', n: 1, big: 70000, neg: -25, f: 1.5, t: true, no: false, nil: null, list: [1, 'a'], bytes: Buffer.from([1, 2]) };
    assert.deepEqual(decodeCbor(encodeCbor(value)), value);
  });
  it('encodes Bytes as a byte string and Timestamp as tag 1 epoch seconds', () => {
    const encoded = encodeCbor({ d: new Bytes(Buffer.from('x')), t: new Timestamp(1_500_000_000_500) });
    assert.deepEqual(decodeCbor(encoded), { d: Buffer.from('x'), t: 1_500_000_000.5 });
    assert.ok(encoded.includes(0xc1));
  });
  it('decodes indefinite-length items and half-precision floats (RFC 8949 appendix A)', () => {
    // {_ "a": 1, "b": [_ 2, 3]}
    assert.deepEqual(decodeCbor(Buffer.from('bf61610161629f0203ffff', 'hex')), { a: 1, b: [2, 3] });
    assert.equal(decodeCbor(Buffer.from('f93e00', 'hex')), 1.5);
    assert.deepEqual(decodeCbor(Buffer.from('5f42010243030405ff', 'hex')), Buffer.from([1, 2, 3, 4, 5]));
  });
});
