/**
 * REST handlers for multipart uploads. AWS docs: Amazon S3 API Reference
 * API_CreateMultipartUpload.html, API_UploadPart.html, API_UploadPartCopy.html,
 * API_CompleteMultipartUpload.html, API_AbortMultipartUpload.html, API_ListParts.html,
 * API_ListMultipartUploads.html.
 */
import { CHECKSUM_ALGORITHMS, checksumHeader, parseAlgorithm } from '../checksums.js';
import { s3Error } from '../errors.js';
import type { ChecksumAlgorithm, ChecksumType, Upload } from '../model.js';
import * as multipart from '../operations/multipart.js';
import { chunkSigning } from '../protocol/auth.js';
import { header, isoDate, readCopySource, readCopySourceConditions, readObjectMeta, readStorageClass } from '../protocol/headers.js';
import { readPayload } from '../protocol/payload.js';
import { childNodes, childText, document, element, parseXml } from '../protocol/xml.js';
import { encodingType, intParam, ownerXml, param, urlEncodeKey, type S3Call } from './call.js';

function uploadIdOf(call: S3Call): string {
  return param(call, 'uploadId') ?? '';
}

export async function createMultipartUpload(call: S3Call): Promise<void> {
  const headers = call.request.headers;
  const algorithmText = header(headers, 'x-amz-checksum-algorithm');
  const checksumAlgorithm = parseAlgorithm(algorithmText);
  if (algorithmText !== undefined && checksumAlgorithm === undefined) {
    throw s3Error('InvalidRequest', {}, 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  }
  const typeText = header(headers, 'x-amz-checksum-type')?.toUpperCase();
  if (typeText !== undefined && typeText !== 'COMPOSITE' && typeText !== 'FULL_OBJECT') {
    throw s3Error('InvalidRequest', {}, 'Value for x-amz-checksum-type header is invalid.');
  }
  const upload = await multipart.createMultipartUpload(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    meta: readObjectMeta(headers),
    storageClass: readStorageClass(headers) ?? 'STANDARD',
    checksumAlgorithm,
    checksumType: typeText as ChecksumType | undefined,
  });
  const out: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  if (upload.checksumAlgorithm !== null) {
    out['x-amz-checksum-algorithm'] = upload.checksumAlgorithm;
    out['x-amz-checksum-type'] = upload.checksumType!;
  }
  call.out.xml(
    200,
    document('InitiateMultipartUploadResult', element('Bucket', upload.bucket) + element('Key', upload.key) + element('UploadId', upload.id)),
    out,
  );
}

export async function uploadPart(call: S3Call): Promise<void> {
  const partNumber = multipart.parsePartNumber(param(call, 'partNumber'));
  const payload = readPayload(call.request, chunkSigning(call.request, call.caller));
  const part = await multipart.uploadPart(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    uploadId: uploadIdOf(call),
    partNumber,
    data: payload.data,
    md5: payload.md5,
    checksum: payload.checksum,
  });
  const out: Record<string, string> = { ETag: part.etag, 'x-amz-server-side-encryption': 'AES256' };
  const checksum = multipart.decodePartChecksum(part.checksum);
  if (checksum !== null) out[checksumHeader(checksum.algorithm)] = checksum.value;
  call.out.send(200, out);
}

export async function uploadPartCopy(call: S3Call): Promise<void> {
  const partNumber = multipart.parsePartNumber(param(call, 'partNumber'));
  const source = readCopySource(call.request.headers);
  const part = await multipart.uploadPartCopy(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    uploadId: uploadIdOf(call),
    partNumber,
    sourceBucket: source.bucket,
    sourceKey: source.key,
    sourceRange: header(call.request.headers, 'x-amz-copy-source-range'),
    sourceConditions: readCopySourceConditions(call.request.headers),
  });
  let body = element('ETag', part.etag) + element('LastModified', isoDate(part.modified));
  const checksum = multipart.decodePartChecksum(part.checksum);
  if (checksum !== null) body += element(`Checksum${checksum.algorithm}`, checksum.value);
  call.out.xml(200, document('CopyPartResult', body), { 'x-amz-server-side-encryption': 'AES256' });
}

export async function completeMultipartUpload(call: S3Call): Promise<void> {
  const headers = call.request.headers;
  const text = readPayload(call.request).data.toString('utf8');
  if (text.trim() === '') throw s3Error('MalformedXML');
  const root = parseXml(text);
  if (root.name !== 'CompleteMultipartUpload') throw s3Error('MalformedXML');
  const parts = childNodes(root, 'Part').map((node) => {
    const number = childText(node, 'PartNumber');
    const etag = childText(node, 'ETag');
    if (number === undefined || etag === undefined || !/^\d+$/.test(number.trim())) throw s3Error('MalformedXML');
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = childText(node, `Checksum${algorithm}`);
      if (value !== undefined) checksums[algorithm] = value.trim();
    }
    return { partNumber: Number(number.trim()), etag: etag.trim(), checksums };
  });
  let checksum: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(headers, checksumHeader(algorithm));
    if (value !== undefined) checksum = { algorithm, value };
  }
  const object = await multipart.completeMultipartUpload(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    uploadId: uploadIdOf(call),
    parts,
    checksum,
    ifMatch: header(headers, 'if-match'),
    ifNoneMatch: header(headers, 'if-none-match'),
  });
  const location = `${call.endpoint}/${call.route.bucket}/${call.route.key.split('/').map(encodeURIComponent).join('/')}`;
  let body = element('Location', location) + element('Bucket', object.bucket) + element('Key', object.key) + element('ETag', object.etag);
  if (object.checksum !== null) body += element(`Checksum${object.checksum.algorithm}`, object.checksum.value) + element('ChecksumType', object.checksum.type);
  call.out.xml(200, document('CompleteMultipartUploadResult', body), { 'x-amz-server-side-encryption': 'AES256' });
}

export async function abortMultipartUpload(call: S3Call): Promise<void> {
  await multipart.abortMultipartUpload(call.context, { bucket: call.route.bucket, key: call.route.key, uploadId: uploadIdOf(call) });
  call.out.send(204);
}

export function listParts(call: S3Call): void {
  const partNumberMarker = intParam(call, 'part-number-marker', 0, multipart.MAX_PART_NUMBER, 'Part number marker must be an integer between 0 and 10000');
  const maxParts = intParam(call, 'max-parts', 1000, 1000, 'Provided max-parts not an integer or within integer range');
  const result = multipart.listParts(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    uploadId: uploadIdOf(call),
    partNumberMarker,
    maxParts,
  });
  const owner = call.context.owner;
  let body =
    element('Bucket', call.route.bucket) +
    element('Key', call.route.key) +
    element('UploadId', result.upload.id) +
    element('PartNumberMarker', partNumberMarker) +
    element('NextPartNumberMarker', result.nextPartNumberMarker ?? 0) +
    element('MaxParts', maxParts) +
    element('IsTruncated', result.isTruncated);
  for (const part of result.parts) {
    body += `<Part>${element('PartNumber', part.number)}${element('LastModified', isoDate(part.modified))}${element('ETag', part.etag)}${element('Size', part.size)}`;
    const checksum = multipart.decodePartChecksum(part.checksum);
    if (checksum !== null) body += element(`Checksum${checksum.algorithm}`, checksum.value);
    body += '</Part>';
  }
  body += ownerXml(owner, 'Initiator') + ownerXml(owner) + element('StorageClass', result.upload.storageClass);
  body += checksumElements(result.upload);
  call.out.xml(200, document('ListPartsResult', body));
}

function checksumElements(upload: Upload): string {
  if (upload.checksumAlgorithm === null) return '';
  return element('ChecksumAlgorithm', upload.checksumAlgorithm) + element('ChecksumType', upload.checksumType);
}

export function listMultipartUploads(call: S3Call): void {
  const encoding = encodingType(call);
  const encode = encoding === 'url' ? urlEncodeKey : (s: string) => s;
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const keyMarker = param(call, 'key-marker') ?? '';
  const uploadIdMarker = param(call, 'upload-id-marker') ?? '';
  const maxUploads = intParam(call, 'max-uploads', 1000, 1000, 'Provided max-uploads not an integer or within integer range');
  const result = multipart.listMultipartUploads(call.context, { bucket: call.route.bucket, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads });
  const owner = call.context.owner;
  let body = element('Bucket', call.route.bucket) + element('KeyMarker', encode(keyMarker)) + element('UploadIdMarker', uploadIdMarker);
  if (result.nextKeyMarker !== undefined) body += element('NextKeyMarker', encode(result.nextKeyMarker));
  if (result.nextUploadIdMarker !== undefined) body += element('NextUploadIdMarker', result.nextUploadIdMarker);
  if (delimiter !== '') body += element('Delimiter', encode(delimiter));
  body += element('Prefix', encode(prefix)) + element('MaxUploads', maxUploads);
  if (encoding !== undefined) body += element('EncodingType', encoding);
  body += element('IsTruncated', result.isTruncated);
  for (const upload of result.uploads) {
    body +=
      `<Upload>${element('Key', encode(upload.key))}${element('UploadId', upload.id)}${ownerXml(owner, 'Initiator')}${ownerXml(owner)}` +
      `${element('StorageClass', upload.storageClass)}${element('Initiated', isoDate(upload.initiated))}${checksumElements(upload)}</Upload>`;
  }
  for (const common of result.commonPrefixes) body += `<CommonPrefixes>${element('Prefix', encode(common))}</CommonPrefixes>`;
  call.out.xml(200, document('ListMultipartUploadsResult', body));
}
