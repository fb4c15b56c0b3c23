/**
 * Key encoding for storage: an order-preserving byte form of S, N and B key values so a Query's
 * sort-key range and its pagination are index range scans (DynamoDB sorts S and B bytewise, N
 * numerically: API Reference "Query" -> ScanIndexForward), and a 32-bit hash of the partition key
 * that orders Scan and splits parallel scans into segments, as DynamoDB's partition hashing does.
 */
import { parseDecimal } from './numbers.js';
import type { AttributeValue, KeyType } from './types.js';

export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * N: sign byte (0x7f negative, 0x80 zero, 0x81 positive), 2-byte biased exponent, one byte per
 * digit. Negatives invert exponent and digits and end with 0xff so "-1" sorts above "-1.5".
 */
export function encodeNumber(text: string): Buffer {
  const d = parseDecimal(text)!;
  if (d.digits.length === 0) return Buffer.from([0x80]);
  const out = Buffer.allocUnsafe(3 + d.digits.length + (d.neg ? 1 : 0));
  out[0] = d.neg ? 0x7f : 0x81;
  const e = d.neg ? 0x8000 - d.exp : 0x8000 + d.exp;
  out[1] = (e >> 8) & 0xff;
  out[2] = e & 0xff;
  for (let i = 0; i < d.digits.length; i++) {
    const digit = d.digits.charCodeAt(i) - 48;
    out[3 + i] = d.neg ? 10 - digit : digit + 1;
  }
  if (d.neg) out[out.length - 1] = 0xff;
  return out;
}

export function encodeKey(type: KeyType, value: AttributeValue): Buffer {
  if (type === 'S') return Buffer.from(value.S!, 'utf8');
  if (type === 'N') return encodeNumber(value.N!);
  return Buffer.from(value.B!, 'base64');
}

/** FNV-1a, 32 bits, unsigned. */
export function hashKey(bytes: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The smallest byte string greater than every string starting with `prefix`; undefined = no bound. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1]!++;
  return out;
}

/** Bounds of a parallel-scan segment over the 32-bit hash space (API Reference "Scan" -> Segment). */
export function segmentRange(segment: number, total: number): [number, number] {
  const span = 2 ** 32;
  const lo = Math.floor((segment * span) / total);
  const hi = Math.floor(((segment + 1) * span) / total) - 1;
  return [lo, hi];
}

/** Where an item lives in storage: partition hash, encoded partition key, encoded sort key. */
export interface KeyParts {
  h: number;
  pk: Buffer;
  sk: Buffer;
}

export interface KeyNames {
  hash: string;
  hashType: KeyType;
  range?: string;
  rangeType?: KeyType;
}

/** Key parts of an item under a key schema; undefined when an attribute is absent or of another type (sparse index). */
export function keyParts(key: KeyNames, item: Record<string, AttributeValue>): KeyParts | undefined {
  const hv = item[key.hash];
  if (hv === undefined || (hv as Record<string, unknown>)[key.hashType] === undefined) return undefined;
  const pk = encodeKey(key.hashType, hv);
  let sk: Buffer = EMPTY;
  if (key.range !== undefined) {
    const rv = item[key.range];
    if (rv === undefined || (rv as Record<string, unknown>)[key.rangeType!] === undefined) return undefined;
    sk = encodeKey(key.rangeType!, rv);
  }
  return { h: hashKey(pk), pk, sk };
}
