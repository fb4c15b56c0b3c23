/**
 * The body of a write as S3 checks it: aws-chunked decoded, then Content-MD5 (InvalidDigest /
 * BadDigest) and the `x-amz-checksum-*` value from a header or trailer (BadDigest) verified.
 * AWS docs: Amazon S3 API Reference API_PutObject.html (Content-MD5, x-amz-checksum-*), User
 * Guide "Checking object integrity" (checking-object-integrity.html), and "Transferring Payload
 * in Multiple Chunks" (sigv4-streaming.html: x-amz-decoded-content-length).
 */
import { createHash } from 'node:crypto';
import type { ServiceRequest } from '../../service.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksumOf, parseAlgorithm } from '../checksums.js';
import { s3Error } from '../errors.js';
import type { ChecksumAlgorithm } from '../model.js';
import { decodeAwsChunked, isAwsChunked, type ChunkSigning } from './chunked.js';
import { header } from './headers.js';

export interface Payload {
  data: Buffer;
  md5: Buffer;
  /** The verified checksum the client sent, or the one it asked S3 to compute. */
  checksum: { algorithm: ChecksumAlgorithm; value: string } | null;
}

/** Base64 lengths of each digest: a value of another length is malformed, not merely wrong. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function readPayload(request: ServiceRequest, signing?: ChunkSigning): Payload {
  const headers = request.headers;
  let data = request.body;
  let trailers: Record<string, string> = {};
  if (isAwsChunked(header(headers, 'x-amz-content-sha256'), header(headers, 'content-encoding'))) {
    ({ data, trailers } = decodeAwsChunked(request.body, signing));
    const declared = header(headers, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== data.length) throw s3Error('IncompleteBody');
  }
  const md5 = createHash('md5').update(data).digest();

  const contentMd5 = header(headers, 'content-md5');
  if (contentMd5 !== undefined) {
    const given = Buffer.from(contentMd5, 'base64');
    if (given.length !== 16 || given.toString('base64') !== contentMd5.trim()) throw s3Error('InvalidDigest', { 'Content-MD5': contentMd5 });
    if (!given.equals(md5)) {
      throw s3Error('BadDigest', { ExpectedDigest: contentMd5, CalculatedDigest: md5.toString('base64') });
    }
  }

  let checksum: Payload['checksum'] = null;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const name = checksumHeader(algorithm);
    const value = header(headers, name) ?? trailers[name];
    if (value === undefined) continue;
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length !== DIGEST_BYTES[algorithm]) throw s3Error('InvalidRequest', {}, `Value for ${name} header is invalid.`);
    const actual = checksumOf(algorithm, data);
    if (actual !== bytes.toString('base64')) {
      throw s3Error('BadDigest', {}, `The ${algorithm} you specified did not match the calculated checksum.`);
    }
    checksum = { algorithm, value: actual };
    break;
  }
  if (checksum === null) {
    // An algorithm named without a value: S3 computes and stores it.
    const algorithm = parseAlgorithm(header(headers, 'x-amz-sdk-checksum-algorithm') ?? header(headers, 'x-amz-checksum-algorithm'));
    if (algorithm !== undefined) checksum = { algorithm, value: checksumOf(algorithm, data) };
  }
  return { data, md5, checksum };
}
