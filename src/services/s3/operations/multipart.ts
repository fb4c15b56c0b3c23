/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload
 * (ETag = MD5 of the parts' binary MD5s + "-N"), AbortMultipartUpload, ListParts,
 * ListMultipartUploads. AWS docs: Amazon S3 API Reference API_CreateMultipartUpload.html,
 * API_UploadPart.html, API_UploadPartCopy.html, API_CompleteMultipartUpload.html,
 * API_AbortMultipartUpload.html, API_ListParts.html, API_ListMultipartUploads.html; User Guide
 * "Multipart upload limits" (qfacts.html) and "Checking object integrity" (composite checksums).
 */
import { createHash, randomBytes } from 'node:crypto';
import { checksumOf, checksummer } from '../checksums.js';
import { invalidArgument, noSuchBucket, noSuchKey, noSuchUpload, s3Error } from '../errors.js';
import type { Checksum, ChecksumAlgorithm, ChecksumType, ObjectMeta, Part, StoredObject, Upload } from '../model.js';
import { requireBucket } from './buckets.js';
import { checkWrite, evaluateCopySource, type Conditions } from './conditions.js';
import type { S3Context } from './context.js';
import { quoteEtag, validateKey } from './objects.js';
import { resolveRange } from './range.js';

/** Every part but the last is at least 5 MiB; part numbers run 1..10000 (User Guide, qfacts.html). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10000;

export async function createMultipartUpload(
  context: S3Context,
  input: { bucket: string; key: string; meta: ObjectMeta; storageClass: string; checksumAlgorithm?: ChecksumAlgorithm; checksumType?: ChecksumType },
): Promise<Upload> {
  validateKey(input.key);
  requireBucket(context, input.bucket);
  if (input.checksumType === 'FULL_OBJECT' && (input.checksumAlgorithm === 'SHA1' || input.checksumAlgorithm === 'SHA256')) {
    throw s3Error('InvalidRequest', {}, `The FULL_OBJECT checksum type cannot be used with the ${input.checksumAlgorithm.toLowerCase()} checksum algorithm.`);
  }
  const upload: Upload = {
    id: randomBytes(48).toString('base64url'),
    bucket: input.bucket,
    key: input.key,
    initiated: context.now(),
    storageClass: input.storageClass,
    checksumAlgorithm: input.checksumAlgorithm ?? null,
    checksumType: input.checksumAlgorithm === undefined ? null : (input.checksumType ?? 'COMPOSITE'),
    meta: input.meta,
  };
  await context.store.createUpload(upload);
  return upload;
}

export function parsePartNumber(text: string | undefined): number {
  const number = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || number < 1 || number > MAX_PART_NUMBER) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', text ?? '');
  }
  return number;
}

function requireUpload(context: S3Context, bucket: string, key: string, uploadId: string): Upload {
  requireBucket(context, bucket);
  const upload = context.store.getUpload(uploadId);
  if (upload === undefined || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
  return upload;
}

/** Part checksums are stored as `ALGORITHM:base64` so parts of uploads without an algorithm keep theirs. */
function encodePartChecksum(checksum: { algorithm: ChecksumAlgorithm; value: string } | null): string | null {
  return checksum === null ? null : `${checksum.algorithm}:${checksum.value}`;
}

export function decodePartChecksum(text: string | null): { algorithm: ChecksumAlgorithm; value: string } | null {
  if (text === null) return null;
  const colon = text.indexOf(':');
  return { algorithm: text.slice(0, colon) as ChecksumAlgorithm, value: text.slice(colon + 1) };
}

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  data: Buffer;
  md5: Buffer;
  /** The checksum the client sent (verified already), if any. */
  checksum: { algorithm: ChecksumAlgorithm; value: string } | null;
}

export async function uploadPart(context: S3Context, input: UploadPartInput): Promise<Part & { checksumAlgorithm: ChecksumAlgorithm | null }> {
  const upload = requireUpload(context, input.bucket, input.key, input.uploadId);
  let checksum = input.checksum;
  if (upload.checksumAlgorithm !== null) {
    if (checksum !== null && checksum.algorithm !== upload.checksumAlgorithm) {
      throw s3Error(
        'InvalidRequest',
        {},
        `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${checksum.algorithm.toLowerCase()}`,
      );
    }
    checksum ??= { algorithm: upload.checksumAlgorithm, value: checksumOf(upload.checksumAlgorithm, input.data) };
  }
  const blob = input.data.length === 0 ? null : await context.store.blobs.write(input.data);
  const part: Part = {
    number: input.partNumber,
    blob,
    size: input.data.length,
    etag: quoteEtag(input.md5),
    modified: context.now(),
    checksum: encodePartChecksum(checksum),
  };
  await storePart(context, input.uploadId, part);
  return { ...part, checksumAlgorithm: checksum?.algorithm ?? null };
}

async function storePart(context: S3Context, uploadId: string, part: Part): Promise<void> {
  const result = await context.store.putPart(uploadId, part);
  if (result === false) {
    await context.store.blobs.remove(part.blob);
    throw noSuchUpload(uploadId);
  }
  if (result.replaced !== part.blob) await context.store.blobs.remove(result.replaced);
}

export interface UploadPartCopyInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  sourceBucket: string;
  sourceKey: string;
  /** `x-amz-copy-source-range: bytes=first-last`. */
  sourceRange?: string;
  sourceConditions: Conditions;
}

export async function uploadPartCopy(context: S3Context, input: UploadPartCopyInput): Promise<Part> {
  const upload = requireUpload(context, input.bucket, input.key, input.uploadId);
  if (context.store.getBucket(input.sourceBucket) === undefined) throw noSuchBucket(input.sourceBucket);
  const source = context.store.getObject(input.sourceBucket, input.sourceKey);
  if (source === undefined) throw noSuchKey(input.sourceKey);
  evaluateCopySource(source, input.sourceConditions);
  let start = 0;
  let end = source.size;
  if (input.sourceRange !== undefined) {
    const match = /^bytes=(\d+)-(\d+)$/.exec(input.sourceRange.trim());
    if (match === null) throw s3Error('InvalidArgument', { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: input.sourceRange }, 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy');
    const range = resolveRange(input.sourceRange, source.size);
    if (range === undefined || Number(match[2]) >= source.size) {
      throw s3Error('InvalidRequest', {}, `The specified copy range is invalid for the source object size: ${source.size}`);
    }
    start = range.start;
    end = range.end + 1;
  }
  const md5 = createHash('md5');
  const sum = upload.checksumAlgorithm === null ? undefined : checksummer(upload.checksumAlgorithm);
  const see = (chunk: Buffer) => {
    md5.update(chunk);
    sum?.update(chunk);
  };
  let blob: string | null = null;
  if (end > start && source.inline) {
    const data = context.store.getInlineBody(input.sourceBucket, input.sourceKey);
    if (data === undefined) throw noSuchKey(input.sourceKey);
    see(data.subarray(start, end));
    blob = await context.store.blobs.write(data.subarray(start, end));
  } else if (end > start && source.blob !== null) {
    blob = await context.store.blobs.concat([{ name: source.blob, start, end }], see);
  }
  const part: Part = {
    number: input.partNumber,
    blob,
    size: end - start,
    etag: quoteEtag(md5.digest()),
    modified: context.now(),
    checksum: upload.checksumAlgorithm === null || sum === undefined ? null : encodePartChecksum({ algorithm: upload.checksumAlgorithm, value: sum.digest().toString('base64') }),
  };
  await storePart(context, input.uploadId, part);
  return part;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** `ChecksumCRC32` ... elements, by algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface CompleteInput {
  bucket: string;
  key: string;
  uploadId: string;
  parts: CompletedPart[];
  /** Full-object checksum the client sent in a header, to verify. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  ifMatch?: string;
  ifNoneMatch?: string;
}

export async function completeMultipartUpload(context: S3Context, input: CompleteInput): Promise<StoredObject> {
  const upload = requireUpload(context, input.bucket, input.key, input.uploadId);
  if (input.parts.length === 0) throw s3Error('MalformedXML');
  const stored: Part[] = [];
  let previous = 0;
  for (const requested of input.parts) {
    if (requested.partNumber <= previous) throw s3Error('InvalidPartOrder', { UploadId: input.uploadId });
    previous = requested.partNumber;
    const part = context.store.getPart(input.uploadId, requested.partNumber);
    if (part === undefined || part.etag.replace(/"/g, '') !== requested.etag.replace(/"/g, '')) throw invalidPart(input.uploadId, requested);
    const partChecksum = decodePartChecksum(part.checksum);
    for (const [algorithm, value] of Object.entries(requested.checksums)) {
      if (partChecksum !== null && partChecksum.algorithm === algorithm && partChecksum.value !== value) throw invalidPart(input.uploadId, requested);
    }
    stored.push(part);
  }
  for (let i = 0; i < stored.length - 1; i++) {
    if (stored[i]!.size < MIN_PART_SIZE) {
      throw s3Error('EntityTooSmall', {
        ProposedSize: String(stored[i]!.size),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(stored[i]!.number),
        ETag: stored[i]!.etag.replace(/"/g, ''),
      });
    }
  }

  const etagHash = createHash('md5');
  for (const part of stored) etagHash.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
  const etag = `"${etagHash.digest('hex')}-${stored.length}"`;

  const algorithm = upload.checksumAlgorithm ?? commonAlgorithm(stored);
  const type: ChecksumType = upload.checksumType ?? 'COMPOSITE';
  const full = algorithm !== null && type === 'FULL_OBJECT' ? checksummer(algorithm) : undefined;
  const size = stored.reduce((total, part) => total + part.size, 0);
  const slices = stored.filter((part) => part.blob !== null).map((part) => ({ name: part.blob!, start: 0, end: part.size }));
  const blob = slices.length === 0 ? null : await context.store.blobs.concat(slices, full === undefined ? undefined : (chunk) => full.update(chunk));

  let checksum: Checksum | null = null;
  if (algorithm !== null) {
    if (full !== undefined) {
      checksum = { algorithm, value: full.digest().toString('base64'), type: 'FULL_OBJECT' };
    } else {
      // Composite: the algorithm over the concatenated binary part checksums, then "-N".
      const joined = Buffer.concat(stored.map((part) => Buffer.from(decodePartChecksum(part.checksum)!.value, 'base64')));
      checksum = { algorithm, value: `${checksumOf(algorithm, joined)}-${stored.length}`, type: 'COMPOSITE' };
    }
  }
  if (input.checksum !== undefined && checksum?.type === 'FULL_OBJECT' && checksum.algorithm === input.checksum.algorithm && checksum.value !== input.checksum.value) {
    await context.store.blobs.remove(blob);
    throw s3Error('BadDigest', {}, `The ${input.checksum.algorithm} you specified did not match the calculated checksum.`);
  }

  const object: StoredObject = {
    bucket: input.bucket,
    key: input.key,
    blob,
    inline: false,
    size,
    etag,
    modified: context.now(),
    storageClass: upload.storageClass,
    checksum,
    parts: stored.length,
    meta: upload.meta,
  };
  let result;
  try {
    result = await context.store.completeUpload(input.uploadId, object, (current) => checkWrite(current, input.key, input));
  } catch (error) {
    await context.store.blobs.remove(blob);
    throw error;
  }
  if (result === false) {
    await context.store.blobs.remove(blob);
    throw noSuchUpload(input.uploadId);
  }
  await Promise.all([result.replaced, ...result.partBlobs].map((name) => context.store.blobs.remove(name)));
  return object;
}

/** Uploads without a declared algorithm get a composite checksum only when every part has one of the same kind. */
function commonAlgorithm(parts: Part[]): ChecksumAlgorithm | null {
  const first = decodePartChecksum(parts[0]!.checksum)?.algorithm ?? null;
  if (first === null) return null;
  return parts.every((part) => decodePartChecksum(part.checksum)?.algorithm === first) ? first : null;
}

function invalidPart(uploadId: string, part: CompletedPart) {
  return s3Error('InvalidPart', { UploadId: uploadId, PartNumber: String(part.partNumber), ETag: part.etag });
}

export async function abortMultipartUpload(context: S3Context, input: { bucket: string; key: string; uploadId: string }): Promise<void> {
  requireUpload(context, input.bucket, input.key, input.uploadId);
  const blobs = await context.store.abortUpload(input.uploadId);
  if (blobs === false) throw noSuchUpload(input.uploadId);
  await Promise.all(blobs.map((blob) => context.store.blobs.remove(blob)));
}

export interface ListPartsOutput {
  upload: Upload;
  parts: Part[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

export function listParts(
  context: S3Context,
  input: { bucket: string; key: string; uploadId: string; partNumberMarker: number; maxParts: number },
): ListPartsOutput {
  const upload = requireUpload(context, input.bucket, input.key, input.uploadId);
  const rows = context.store.listParts(input.uploadId, input.partNumberMarker, input.maxParts + 1);
  const isTruncated = rows.length > input.maxParts;
  const parts = rows.slice(0, input.maxParts);
  const last = parts[parts.length - 1];
  return { upload, parts, isTruncated, ...(last === undefined ? {} : { nextPartNumberMarker: last.number }) };
}

export interface ListUploadsInput {
  bucket: string;
  prefix: string;
  delimiter: string;
  keyMarker: string;
  uploadIdMarker: string;
  maxUploads: number;
}

export interface ListUploadsOutput {
  uploads: Upload[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** Uploads by key, then initiation; key-marker alone skips that key, with upload-id-marker it resumes after that id. */
export function listMultipartUploads(context: S3Context, input: ListUploadsInput): ListUploadsOutput {
  requireBucket(context, input.bucket);
  const output: ListUploadsOutput = { uploads: [], commonPrefixes: [], isTruncated: false };
  let all = context.store.listUploads(input.bucket, input.keyMarker);
  if (input.keyMarker !== '') {
    if (input.uploadIdMarker === '') all = all.filter((u) => u.key > input.keyMarker);
    else {
      const at = all.findIndex((u) => u.key === input.keyMarker && u.id === input.uploadIdMarker);
      all = at === -1 ? all.filter((u) => u.key > input.keyMarker) : all.slice(at + 1);
    }
  }
  let count = 0;
  for (const upload of all) {
    if (!upload.key.startsWith(input.prefix)) continue;
    if (input.delimiter !== '') {
      const at = upload.key.indexOf(input.delimiter, input.prefix.length);
      if (at !== -1) {
        const common = upload.key.slice(0, at + input.delimiter.length);
        if (output.commonPrefixes.includes(common)) continue;
        if (count === input.maxUploads) {
          output.isTruncated = true;
          break;
        }
        output.commonPrefixes.push(common);
        output.nextKeyMarker = common;
        count++;
        continue;
      }
    }
    if (count === input.maxUploads) {
      output.isTruncated = true;
      break;
    }
    output.uploads.push(upload);
    output.nextKeyMarker = upload.key;
    output.nextUploadIdMarker = upload.id;
    count++;
  }
  if (!output.isTruncated) {
    delete output.nextKeyMarker;
    delete output.nextUploadIdMarker;
  }
  return output;
}
