/**
 * REST handlers for the object operations. AWS docs: Amazon S3 API Reference
 * API_PutObject.html, API_GetObject.html, API_HeadObject.html, API_DeleteObject.html,
 * API_DeleteObjects.html, API_CopyObject.html.
 */
import { s3Error } from '../errors.js';
import type { Checksum } from '../model.js';
import * as objects from '../operations/objects.js';
import { allowsAnonymous, objectArn } from '../operations/policy.js';
import { chunkSigning } from '../protocol/auth.js';
import { checksumHeader, parseAlgorithm } from '../checksums.js';
import {
  header,
  isoDate,
  objectHeaders,
  readConditions,
  readCopySource,
  readCopySourceConditions,
  readObjectMeta,
  readStorageClass,
} from '../protocol/headers.js';
import { readPayload } from '../protocol/payload.js';
import { childNodes, childText, document, element, parseXml } from '../protocol/xml.js';
import type { S3Call } from './call.js';

/** DeleteObjects takes at most 1000 keys (S3 API Reference, DeleteObjects). */
const MAX_DELETE_KEYS = 1000;

export async function putObject(call: S3Call): Promise<void> {
  const headers = call.request.headers;
  const payload = readPayload(call.request, chunkSigning(call.request, call.caller));
  const checksum: Checksum | null = payload.checksum === null ? null : { ...payload.checksum, type: 'FULL_OBJECT' };
  const object = await objects.putObject(call.context, {
    bucket: call.route.bucket,
    key: call.route.key,
    data: payload.data,
    md5: payload.md5,
    meta: readObjectMeta(headers),
    storageClass: readStorageClass(headers) ?? 'STANDARD',
    checksum,
    ifMatch: header(headers, 'if-match'),
    ifNoneMatch: header(headers, 'if-none-match'),
  });
  call.out.send(200, writeHeaders(object.etag, checksum));
}

function writeHeaders(etag: string, checksum: Checksum | null): Record<string, string> {
  const out: Record<string, string> = { ETag: etag, 'x-amz-server-side-encryption': 'AES256' };
  if (checksum !== null) {
    out[checksumHeader(checksum.algorithm)] = checksum.value;
    out['x-amz-checksum-type'] = checksum.type;
  }
  return out;
}

/** GetObject and HeadObject: 304 for a failed read condition, 206 for a range, whole object else. */
async function read(call: S3Call, head: boolean): Promise<void> {
  const headers = call.request.headers;
  const result = await objects.getObject(
    call.context,
    { bucket: call.route.bucket, key: call.route.key, range: header(headers, 'range'), conditions: readConditions(headers) },
    !head,
  );
  if (result.status === 'not-modified') {
    // 304 carries the validators and no body (RFC 9110 15.4.5).
    const { object } = result;
    call.out.res.writeHead(304, { 'x-amz-request-id': call.out.requestId, 'x-amz-id-2': call.out.hostId, ETag: object.etag, 'Last-Modified': new Date(object.modified).toUTCString() });
    call.out.res.end();
    return;
  }
  const { object, range, body } = result;
  const out = objectHeaders(object, {
    // A range is not the whole object: its checksum would not match (S3 returns none then).
    checksumMode: header(headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && range === undefined,
    overrides: call.query,
  });
  let status = 200;
  let start = 0;
  let length = object.size;
  if (range !== undefined) {
    status = 206;
    start = range.start;
    length = range.end - range.start + 1;
    out['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`;
  }
  out['Content-Length'] = String(length);
  if (body === undefined) call.out.send(status, out);
  else if (Buffer.isBuffer(body)) call.out.send(status, out, length === body.length ? body : body.subarray(start, start + length));
  else await call.out.stream(status, out, body, start, length);
}

export const getObject = (call: S3Call) => read(call, false);
export const headObject = (call: S3Call) => read(call, true);

export async function deleteObject(call: S3Call): Promise<void> {
  await objects.deleteObject(call.context, { bucket: call.route.bucket, key: call.route.key });
  call.out.send(204);
}

export async function deleteObjects(call: S3Call): Promise<void> {
  const payload = readPayload(call.request);
  const root = parseXml(payload.data.toString('utf8'));
  if (root.name !== 'Delete') throw s3Error('MalformedXML');
  const quiet = childText(root, 'Quiet')?.trim() === 'true';
  const keys = childNodes(root, 'Object').map((node) => {
    const key = childText(node, 'Key');
    if (key === undefined) throw s3Error('MalformedXML');
    return key;
  });
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) throw s3Error('MalformedXML');
  const bucket = call.route.bucket;
  const policy = call.caller.anonymous ? (call.context.store.getBucket(bucket)?.policy ?? null) : null;
  const result = await objects.deleteObjects(call.context, {
    bucket,
    keys,
    ...(call.caller.anonymous ? { allowed: (key: string) => allowsAnonymous(policy, 's3:DeleteObject', objectArn(bucket, key)) } : {}),
  });
  let body = '';
  if (!quiet) for (const key of result.deleted) body += `<Deleted>${element('Key', key)}</Deleted>`;
  for (const error of result.errors) body += `<Error>${element('Key', error.key)}${element('Code', error.code)}${element('Message', error.message)}</Error>`;
  call.out.xml(200, document('DeleteResult', body));
}

export async function copyObject(call: S3Call): Promise<void> {
  const headers = call.request.headers;
  const source = readCopySource(headers);
  const directive = (header(headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw s3Error('InvalidArgument', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive }, 'Unknown metadata directive.');
  }
  const checksumText = header(headers, 'x-amz-checksum-algorithm');
  const checksumAlgorithm = parseAlgorithm(checksumText);
  if (checksumText !== undefined && checksumAlgorithm === undefined) {
    throw s3Error('InvalidRequest', {}, 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  }
  const object = await objects.copyObject(call.context, {
    sourceBucket: source.bucket,
    sourceKey: source.key,
    bucket: call.route.bucket,
    key: call.route.key,
    sourceConditions: readCopySourceConditions(headers),
    metadataDirective: directive,
    meta: directive === 'REPLACE' ? readObjectMeta(headers) : { user: {} },
    storageClass: readStorageClass(headers),
    checksumAlgorithm,
    ifMatch: header(headers, 'if-match'),
    ifNoneMatch: header(headers, 'if-none-match'),
  });
  let body = element('ETag', object.etag) + element('LastModified', isoDate(object.modified));
  if (object.checksum !== null) body += element('ChecksumType', object.checksum.type) + element(`Checksum${object.checksum.algorithm}`, object.checksum.value);
  call.out.xml(200, document('CopyObjectResult', body), { 'x-amz-server-side-encryption': 'AES256' });
}
