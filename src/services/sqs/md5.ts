/**
 * The digests SQS returns and the SDKs verify: MD5 of the body, and MD5 of the message
 * attributes by the documented encoding (names sorted; each name, data type and value as a
 * 4-byte big-endian length plus bytes, a transport byte 1 for String/Number and 2 for Binary).
 * AWS docs: SQS Developer Guide, "Amazon SQS message attributes" > "Calculating the MD5 message
 * digest for message attributes" (sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation).
 */
import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from './model.js';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

const STRING = 1;
const BINARY = 2;

/** MD5 of the message attributes, or undefined when there are none (AWS then omits the field). */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  // Ordinal (UTF-16 code unit) order, what AWS's Java implementation sorts by.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name]!;
    updateLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    updateLengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Uint8Array.of(BINARY));
      updateLengthPrefixed(hash, Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Uint8Array.of(STRING));
      updateLengthPrefixed(hash, Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function updateLengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
