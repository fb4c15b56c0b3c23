/**
 * The CBOR codec of the `application/x-amz-cbor-1.1` Kinesis wire format (used by the Java SDK and
 * the KPL/KCL): the JSON 1.1 shapes carried as CBOR, blobs as byte strings, timestamps as tag 1.
 * RFC 8949 "Concise Binary Object Representation"; AWS docs: Kinesis Data Streams developer guide,
 * "Troubleshooting" (AWS_CBOR_DISABLE) — only what those shapes need is decoded and encoded.
 */
import { Bytes, Timestamp } from './context.js';

export class CborError extends Error {}

/** Decodes one data item; byte strings become Buffers, tag 1 (epoch time) becomes seconds. */
export function decodeCbor(input: Buffer): unknown {
  let offset = 0;
  const need = (n: number) => {
    if (offset + n > input.length) throw new CborError('Unexpected end of CBOR data');
  };
  const readLength = (info: number): number | null => {
    if (info < 24) return info;
    if (info === 24) return need(1), input[offset++]!;
    if (info === 25) return need(2), (offset += 2), input.readUInt16BE(offset - 2);
    if (info === 26) return need(4), (offset += 4), input.readUInt32BE(offset - 4);
    if (info === 27) {
      need(8);
      const value = input.readBigUInt64BE(offset);
      offset += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('CBOR integer too large');
      return Number(value);
    }
    if (info === 31) return null;
    throw new CborError(`Invalid CBOR additional information ${info}`);
  };
  const chunks = (major: number, info: number): Buffer => {
    const length = readLength(info);
    if (length !== null) {
      need(length);
      offset += length;
      return input.subarray(offset - length, offset);
    }
    const parts: Buffer[] = [];
    while (input[offset] !== 0xff) {
      need(1);
      const head = input[offset++]!;
      if (head >> 5 !== major) throw new CborError('Invalid indefinite-length string chunk');
      parts.push(chunks(major, head & 31));
    }
    offset++;
    return Buffer.concat(parts);
  };
  const item = (): unknown => {
    need(1);
    const head = input[offset++]!;
    const major = head >> 5;
    const info = head & 31;
    switch (major) {
      case 0:
        return readLength(info);
      case 1:
        return -1 - (readLength(info) ?? 0);
      case 2:
        return Buffer.from(chunks(2, info));
      case 3:
        return chunks(3, info).toString('utf8');
      case 4: {
        const length = readLength(info);
        const out: unknown[] = [];
        if (length === null) {
          while (input[offset] !== 0xff) out.push(item());
          offset++;
        } else for (let i = 0; i < length; i++) out.push(item());
        return out;
      }
      case 5: {
        const length = readLength(info);
        const out: Record<string, unknown> = {};
        const entry = () => {
          const key = item();
          out[String(key)] = item();
        };
        if (length === null) {
          while (input[offset] !== 0xff) entry();
          offset++;
        } else for (let i = 0; i < length; i++) entry();
        return out;
      }
      case 6: {
        const tag = readLength(info);
        const value = item();
        // Tag 1: epoch-based date/time, the only tag the shapes use.
        if (tag === 1 && typeof value === 'number') return value;
        return value;
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        if (info === 25) {
          need(2);
          const half = input.readUInt16BE(offset);
          offset += 2;
          const exponent = (half >> 10) & 0x1f;
          const mantissa = half & 0x3ff;
          const sign = half & 0x8000 ? -1 : 1;
          if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
          if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
          return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
        }
        if (info === 26) return need(4), (offset += 4), input.readFloatBE(offset - 4);
        if (info === 27) return need(8), (offset += 8), input.readDoubleBE(offset - 8);
        throw new CborError(`Unsupported CBOR simple value ${info}`);
      }
    }
  };
  const value = item();
  if (offset !== input.length) throw new CborError('Trailing bytes after CBOR data item');
  return value;
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  if (length < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(BigInt(length), 1);
  return b;
}

function float(value: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0xfb;
  b.writeDoubleBE(value, 1);
  return b;
}

export function encodeCbor(value: unknown): Buffer {
  const parts: Buffer[] = [];
  const write = (v: unknown): void => {
    if (v === null || v === undefined) parts.push(Buffer.from([0xf6]));
    else if (v === true) parts.push(Buffer.from([0xf5]));
    else if (v === false) parts.push(Buffer.from([0xf4]));
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) parts.push(v >= 0 ? head(0, v) : head(1, -1 - v));
      else parts.push(float(v));
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      parts.push(head(3, bytes.length), bytes);
    } else if (v instanceof Bytes || Buffer.isBuffer(v)) {
      const bytes = v instanceof Bytes ? v.buffer : v;
      parts.push(head(2, bytes.length), bytes);
    } else if (v instanceof Timestamp) {
      parts.push(Buffer.from([0xc1]));
      write(v.ms / 1000);
    } else if (Array.isArray(v)) {
      parts.push(head(4, v.length));
      v.forEach(write);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      parts.push(head(5, entries.length));
      for (const [key, x] of entries) {
        write(key);
        write(x);
      }
    } else throw new CborError(`Cannot encode ${typeof v} as CBOR`);
  };
  write(value);
  return Buffer.concat(parts);
}
