/**
 * The additional checksums S3 verifies and stores (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256),
 * each as base64 of its big-endian digest. AWS docs: Amazon S3 User Guide "Checking object
 * integrity" (checking-object-integrity.html).
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { ChecksumAlgorithm } from './model.js';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** `x-amz-checksum-crc32` ... for each algorithm. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm an `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-algorithm` value names. */
export function parseAlgorithm(text: string | undefined): ChecksumAlgorithm | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

/** Incremental checksum: `update` with every chunk, then `digest` once. */
export interface Checksummer {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

export function checksummer(algorithm: ChecksumAlgorithm): Checksummer {
  switch (algorithm) {
    case 'CRC32':
      return crc32Checksummer(crc32Update);
    case 'CRC32C':
      return crc32Checksummer(crc32cUpdate);
    case 'CRC64NVME':
      return crc64Checksummer();
    case 'SHA1':
    case 'SHA256': {
      const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest() };
    }
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const sum = checksummer(algorithm);
  sum.update(data);
  return sum.digest().toString('base64');
}

function crc32Checksummer(update: (crc: number, data: Buffer) => number): Checksummer {
  let crc = 0;
  return {
    update: (chunk) => void (crc = update(crc, chunk)),
    digest: () => {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(crc >>> 0);
      return out;
    },
  };
}

/** Reflected CRC-32 table for `poly` (reversed representation). */
function table32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

let crc32Table: Uint32Array | undefined;
let crc32cTable: Uint32Array | undefined;

function tableCrc(table: Uint32Array, crc: number, data: Buffer): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib.crc32 exists from Node 20.15 / 22.2; the table is the fallback.
const nativeCrc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

function crc32Update(crc: number, data: Buffer): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(data, crc);
  return tableCrc((crc32Table ??= table32(0xedb88320)), crc, data);
}

function crc32cUpdate(crc: number, data: Buffer): number {
  return tableCrc((crc32cTable ??= table32(0x82f63b78)), crc, data);
}

// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones; the 64-bit
// state is kept as two 32-bit halves so no BigInt runs per byte.
let crc64Hi: Uint32Array | undefined;
let crc64Lo: Uint32Array | undefined;

function crc64Tables(): [Uint32Array, Uint32Array] {
  if (crc64Hi === undefined || crc64Lo === undefined) {
    const polyHi = 0x9a6c9329;
    const polyLo = 0xac4bc9b5;
    crc64Hi = new Uint32Array(256);
    crc64Lo = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let hi = 0;
      let lo = n;
      for (let k = 0; k < 8; k++) {
        const carry = lo & 1;
        lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
        hi = hi >>> 1;
        if (carry) {
          hi = (hi ^ polyHi) >>> 0;
          lo = (lo ^ polyLo) >>> 0;
        }
      }
      crc64Hi[n] = hi;
      crc64Lo[n] = lo;
    }
  }
  return [crc64Hi, crc64Lo];
}

function crc64Checksummer(): Checksummer {
  const [tHi, tLo] = crc64Tables();
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  return {
    update(chunk) {
      for (let i = 0; i < chunk.length; i++) {
        const index = (lo ^ chunk[i]!) & 0xff;
        lo = (((lo >>> 8) | (hi << 24)) ^ tLo[index]!) >>> 0;
        hi = ((hi >>> 8) ^ tHi[index]!) >>> 0;
      }
    },
    digest() {
      const out = Buffer.allocUnsafe(8);
      out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}
