/**
 * Decodes `aws-chunked` bodies: `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (what SDK v3 sends for
 * PutObject/UploadPart with its default CRC32) and `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`
 * (chunk signatures chained from the seed signature, verified when a signing key is given).
 * AWS docs: Amazon S3 API Reference "Signature Calculations for the Authorization Header:
 * Transferring Payload in Multiple Chunks (Chunked Upload)" (sigv4-streaming.html) and
 * "... Including Trailing Headers" (sigv4-streaming-trailers.html).
 */
import { sha256Hex, signatureOf } from '../../sigv4/index.js';
import { s3Error } from '../errors.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CRLF = Buffer.from('\r\n');

export interface ChunkSigning {
  signingKey: Buffer;
  longDate: string;
  scope: string;
  /** The Authorization header's signature: the first chunk's "previous" signature. */
  seedSignature: string;
}

export interface DecodedBody {
  data: Buffer;
  /** Trailing headers, lowercase names (`x-amz-checksum-crc32` ...). */
  trailers: Record<string, string>;
}

/** True when the request body is aws-chunked (by its declared payload or its Content-Encoding). */
export function isAwsChunked(contentSha256: string | undefined, contentEncoding: string | undefined): boolean {
  if (contentSha256 !== undefined && contentSha256.startsWith('STREAMING-')) return true;
  return contentEncoding !== undefined && contentEncoding.split(',').some((part) => part.trim() === 'aws-chunked');
}

export function decodeAwsChunked(body: Buffer, signing?: ChunkSigning): DecodedBody {
  const pieces: Buffer[] = [];
  let pos = 0;
  let previous = signing?.seedSignature ?? '';
  for (;;) {
    const lineEnd = body.indexOf(CRLF, pos);
    if (lineEnd === -1) throw incomplete();
    const line = body.toString('latin1', pos, lineEnd);
    const semi = line.indexOf(';');
    const size = parseInt(semi === -1 ? line : line.slice(0, semi), 16);
    if (!Number.isFinite(size) || size < 0) throw incomplete();
    const dataStart = lineEnd + 2;
    const dataEnd = dataStart + size;
    if (dataEnd > body.length) throw incomplete();
    const data = body.subarray(dataStart, dataEnd);
    if (signing !== undefined) {
      const match = /chunk-signature=([0-9a-f]{64})/.exec(line);
      if (match === null) throw s3Error('SignatureDoesNotMatch');
      const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', signing.longDate, signing.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n');
      if (signatureOf(signing.signingKey, toSign) !== match[1]) throw s3Error('SignatureDoesNotMatch');
      previous = match[1]!;
    }
    if (size === 0) {
      pos = dataStart;
      break;
    }
    pieces.push(data);
    if (body[dataEnd] !== 0x0d || body[dataEnd + 1] !== 0x0a) throw incomplete();
    pos = dataEnd + 2;
  }
  const trailers = readTrailers(body, pos, signing, previous);
  return { data: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces), trailers };
}

function readTrailers(body: Buffer, start: number, signing: ChunkSigning | undefined, previous: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  let signedText = '';
  let trailerSignature: string | undefined;
  let pos = start;
  while (pos < body.length) {
    let lineEnd = body.indexOf(CRLF, pos);
    if (lineEnd === -1) lineEnd = body.length;
    const line = body.toString('utf8', pos, lineEnd);
    pos = lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon === -1) throw incomplete();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else {
      trailers[name] = value;
      signedText += `${name}:${value}\n`;
    }
  }
  if (signing !== undefined && trailerSignature !== undefined) {
    const toSign = ['AWS4-HMAC-SHA256-TRAILER', signing.longDate, signing.scope, previous, sha256Hex(signedText)].join('\n');
    if (signatureOf(signing.signingKey, toSign) !== trailerSignature) throw s3Error('SignatureDoesNotMatch');
  }
  return trailers;
}

function incomplete() {
  return s3Error('IncompleteBody', {}, 'The request body is not a valid aws-chunked encoding.');
}

/** The Content-Encoding to store: the client's own encodings without `aws-chunked`. */
export function storedContentEncoding(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const rest = contentEncoding
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked');
  return rest.length === 0 ? undefined : rest.join(',');
}
