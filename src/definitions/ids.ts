/**
 * Deterministic identifiers shaped like AWS's (API ids, generated physical names, access keys), derived from a
 * hash of the stack name and logical id so a restart serves the same ids. Name shape follows the CloudFormation
 * User Guide "Name type" (`stack-LogicalId-RANDOM`).
 */
import { createHash } from 'node:crypto';

export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';

/** `length` characters of `alphabet`, chosen by SHA-256 of the seed parts (rehashed as needed). */
export function hashId(parts: readonly string[], length: number, alphabet = LOWER_ALNUM): string {
  let out = '';
  let block = createHash('sha256').update(parts.join('\u0000')).digest();
  while (out.length < length) {
    for (const byte of block) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** API Gateway ids are 10 lowercase alphanumerics. */
export function apiId(...seed: string[]): string {
  return hashId(['api', ...seed], 10);
}

/**
 * `${stackName}-${logicalId}-${10 uppercase alnum}`, trimmed to `maxLength` the way CloudFormation shortens the
 * stack and logical id parts while keeping the unique suffix.
 */
export function generatedName(stackName: string, logicalId: string, maxLength = 255, lowerCase = false): string {
  const suffix = hashId(['name', stackName, logicalId], 10, UPPER_ALNUM);
  let prefix = `${stackName}-${logicalId}`;
  const room = maxLength - suffix.length - 1;
  if (prefix.length > room) prefix = prefix.slice(0, Math.max(room, 0));
  const name = `${prefix}-${suffix}`;
  return lowerCase ? name.toLowerCase() : name;
}

/** A version 4 shaped UUID from the seed. */
export function hashUuid(...seed: string[]): string {
  const h = hashId(['uuid', ...seed], 32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
