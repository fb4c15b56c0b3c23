/**
 * REST handlers for ListObjectsV2 and ListObjects (V1). AWS docs: Amazon S3 API Reference
 * API_ListObjectsV2.html and API_ListObjects.html (request parameters, response elements,
 * encoding-type=url).
 */
import type { ObjectSummary } from '../model.js';
import { listObjects } from '../operations/list.js';
import { invalidArgument } from '../errors.js';
import { isoDate } from '../protocol/headers.js';
import { document, element } from '../protocol/xml.js';
import { encodingType, intParam, ownerXml, param, urlEncodeKey, type S3Call } from './call.js';

const MAX_KEYS = 1000;
const MAX_KEYS_MESSAGE = 'Provided max-keys not an integer or within integer range';

function contentsXml(call: S3Call, object: ObjectSummary, encode: (s: string) => string, withOwner: boolean): string {
  let xml =
    '<Contents>' +
    element('Key', encode(object.key)) +
    element('LastModified', isoDate(object.modified)) +
    element('ETag', object.etag);
  if (object.checksumAlgorithm !== null) xml += element('ChecksumAlgorithm', object.checksumAlgorithm) + element('ChecksumType', object.checksumType);
  xml += element('Size', object.size);
  if (withOwner) xml += ownerXml(call.context.owner);
  return xml + element('StorageClass', object.storageClass) + '</Contents>';
}

function prefixesXml(prefixes: string[], encode: (s: string) => string): string {
  return prefixes.map((prefix) => `<CommonPrefixes>${element('Prefix', encode(prefix))}</CommonPrefixes>`).join('');
}

export function listObjectsV2(call: S3Call): void {
  const encoding = encodingType(call);
  const encode = encoding === 'url' ? urlEncodeKey : (s: string) => s;
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const maxKeys = intParam(call, 'max-keys', MAX_KEYS, MAX_KEYS, MAX_KEYS_MESSAGE);
  const startAfter = param(call, 'start-after');
  const token = param(call, 'continuation-token');
  let position = startAfter ?? '';
  if (token !== undefined) {
    const decoded = decodeToken(token);
    if (decoded === undefined) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    position = decoded;
  }
  const result = listObjects(call.context, { bucket: call.route.bucket, prefix, delimiter, startAfter: position, maxKeys });
  const withOwner = param(call, 'fetch-owner') === 'true';
  let body = element('Name', call.route.bucket) + element('Prefix', encode(prefix));
  if (token !== undefined) body += element('ContinuationToken', token);
  if (result.isTruncated && result.last !== undefined) body += element('NextContinuationToken', encodeToken(result.last));
  body += element('KeyCount', result.contents.length + result.commonPrefixes.length) + element('MaxKeys', maxKeys);
  if (delimiter !== '') body += element('Delimiter', encode(delimiter));
  if (encoding !== undefined) body += element('EncodingType', encoding);
  body += element('IsTruncated', result.isTruncated);
  if (startAfter !== undefined) body += element('StartAfter', encode(startAfter));
  for (const object of result.contents) body += contentsXml(call, object, encode, withOwner);
  body += prefixesXml(result.commonPrefixes, encode);
  call.out.xml(200, document('ListBucketResult', body));
}

export function listObjectsV1(call: S3Call): void {
  const encoding = encodingType(call);
  const encode = encoding === 'url' ? urlEncodeKey : (s: string) => s;
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const marker = param(call, 'marker') ?? '';
  const maxKeys = intParam(call, 'max-keys', MAX_KEYS, MAX_KEYS, MAX_KEYS_MESSAGE);
  const result = listObjects(call.context, { bucket: call.route.bucket, prefix, delimiter, startAfter: marker, maxKeys });
  let body = element('Name', call.route.bucket) + element('Prefix', encode(prefix)) + element('Marker', encode(marker));
  // NextMarker is returned only with a delimiter; without one clients continue from the last key.
  if (result.isTruncated && delimiter !== '' && result.last !== undefined) body += element('NextMarker', encode(result.last));
  body += element('MaxKeys', maxKeys);
  if (delimiter !== '') body += element('Delimiter', encode(delimiter));
  if (encoding !== undefined) body += element('EncodingType', encoding);
  body += element('IsTruncated', result.isTruncated);
  for (const object of result.contents) body += contentsXml(call, object, encode, true);
  body += prefixesXml(result.commonPrefixes, encode);
  call.out.xml(200, document('ListBucketResult', body));
}

/** Continuation tokens are opaque to clients: base64 of where the next page starts after. */
function encodeToken(last: string): string {
  return Buffer.from('1' + last, 'utf8').toString('base64');
}

function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64').toString('utf8');
  return text.startsWith('1') && text.length > 1 ? text.slice(1) : undefined;
}
