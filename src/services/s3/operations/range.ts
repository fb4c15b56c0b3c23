/**
 * Byte ranges of GetObject/HeadObject (`Range: bytes=a-b | a- | -n`): a single range is served
 * with 206, a range past the end is InvalidRange (416), anything else S3 ignores (200, whole
 * object). AWS docs: Amazon S3 API Reference "GetObject" (Range), RFC 9110 section 14.
 */
import { s3Error } from '../errors.js';

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  // Multiple ranges and malformed values: S3 answers with the whole object.
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw unsatisfiable(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return undefined;
  }
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number) {
  return s3Error('InvalidRange', { RangeRequested: header.trim(), ActualObjectSize: String(size) });
}
