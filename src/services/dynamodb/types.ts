/**
 * Attribute values as they travel on the wire (API Reference "AttributeValue"): validation with
 * DynamoDB's messages, canonical numbers and binaries, equality, ordering and item size
 * (Developer Guide "Supported data types" and "Item sizes").
 */
import { invalidParameter, serialization, validation } from './errors.js';
import { compareNumbers, normalizeNumber } from './numbers.js';

export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  L?: AttributeValue[];
  M?: AttributeMap;
  SS?: string[];
  NS?: string[];
  BS?: string[];
}
export type AttributeMap = Record<string, AttributeValue>;
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'L' | 'M' | 'SS' | 'NS' | 'BS';
export type KeyType = 'S' | 'N' | 'B';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS'];

/** The one type key of a (validated) value. */
export function typeOf(value: AttributeValue): AttributeType {
  for (const key in value) return key as AttributeType;
  return 'NULL';
}

const SET_WORDS: Record<string, string> = { SS: 'string', NS: 'number', BS: 'binary' };

/**
 * Validates a value from a request and returns it canonical: numbers without exponent or
 * extra zeros, binaries re-encoded, so stored values compare with `===`.
 */
export function validateValue(value: unknown): AttributeValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw serialization('Unexpected value type in payload');
  }
  const record = value as Record<string, unknown>;
  let type: string | undefined;
  let count = 0;
  for (const key in record) {
    if (record[key] === undefined || record[key] === null) continue;
    type = key;
    count++;
  }
  if (count === 0 || type === undefined) throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  if (count > 1) throw validation('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  const raw = record[type];
  switch (type) {
    case 'S':
      return { S: asString(raw, 'STRING_VALUE') };
    case 'N':
      return { N: toNumber(asString(raw, 'NUMBER_VALUE')) };
    case 'B':
      return { B: toBinary(raw) };
    case 'BOOL':
      if (typeof raw !== 'boolean') throw serialization('Unexpected value type in payload');
      return { BOOL: raw };
    case 'NULL':
      if (raw !== true) throw invalidParameter('Null attribute value types must have the value of true');
      return { NULL: true };
    case 'L':
      if (!Array.isArray(raw)) throw serialization('Unexpected value type in payload');
      return { L: raw.map(validateValue) };
    case 'M':
      if (typeof raw !== 'object' || Array.isArray(raw)) throw serialization('Unexpected value type in payload');
      return { M: validateMap(raw as Record<string, unknown>) };
    case 'SS':
    case 'NS':
    case 'BS': {
      if (!Array.isArray(raw)) throw serialization('Unexpected value type in payload');
      // Sic: DynamoDB's message has "An string set" and two spaces before "may".
      if (raw.length === 0) throw invalidParameter(`An ${SET_WORDS[type]} set  may not be empty`);
      const members = raw.map((m) =>
        type === 'SS' ? asString(m, 'STRING_VALUE') : type === 'NS' ? toNumber(asString(m, 'NUMBER_VALUE')) : toBinary(m),
      );
      if (new Set(members).size !== members.length) {
        throw invalidParameter(`Input collection [${raw.map(String).join(', ')}] contains duplicates.`);
      }
      return { [type]: members } as AttributeValue;
    }
    default:
      throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
}

export function validateMap(map: Record<string, unknown>): AttributeMap {
  const out: AttributeMap = {};
  for (const name in map) {
    if (map[name] === undefined) continue;
    out[name] = validateValue(map[name]);
  }
  return out;
}

function asString(raw: unknown, what: string): string {
  if (typeof raw === 'string') return raw;
  // The SDKs serialize strings; anything else is what DynamoDB's deserializer rejects.
  throw serialization(`${typeof raw === 'number' ? 'NUMBER_VALUE' : what} cannot be converted to String`);
}

function toNumber(text: string): string {
  const n = normalizeNumber(text);
  if (n === undefined) throw validation(`The parameter cannot be converted to a numeric value: ${text}`);
  return n;
}

function toBinary(raw: unknown): string {
  if (typeof raw !== 'string') throw serialization('Unexpected value type in payload');
  return Buffer.from(raw, 'base64').toString('base64');
}

/** Bytes of a base64 text without decoding it. */
function base64Length(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - pad;
}

function numberSize(n: string): number {
  let digits = 0;
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return Math.ceil(digits / 2) + 1;
}

/** Developer Guide "Item sizes": names and values in UTF-8 bytes, numbers ~1 byte per 2 digits + 1, 3 bytes + 1 per element for L and M. */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return base64Length(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) {
    let size = 3;
    for (const element of value.L) size += valueSize(element) + 1;
    return size;
  }
  if (value.M !== undefined) {
    let size = 3;
    for (const name in value.M) size += Buffer.byteLength(name, 'utf8') + valueSize(value.M[name]!) + 1;
    return size;
  }
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, s) => n + base64Length(s), 0);
  return 0;
}

export function itemSize(item: AttributeMap): number {
  let size = 0;
  for (const name in item) size += Buffer.byteLength(name, 'utf8') + valueSize(item[name]!);
  return size;
}

/** Deep equality of canonical values; sets compare as sets. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  switch (t) {
    case 'S':
    case 'N':
    case 'B':
    case 'BOOL':
      return a[t] === b[t];
    case 'NULL':
      return true;
    case 'L': {
      const x = a.L!;
      const y = b.L!;
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i]!));
    }
    case 'M':
      return mapsEqual(a.M!, b.M!);
    default: {
      const x = a[t] as string[];
      const y = new Set(b[t] as string[]);
      return x.length === y.size && x.every((v) => y.has(v));
    }
  }
}

export function mapsEqual(a: AttributeMap, b: AttributeMap): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const other = b[k];
    if (other === undefined || !valuesEqual(a[k]!, other)) return false;
  }
  return true;
}

/** UTF-8 byte order without encoding: code-point order, with surrogates (U+10000 and up) above U+E000-U+FFFF. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Ordering for N, S and B of the same type (Developer Guide "Comparison operator and function reference"); undefined otherwise. */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined) return b.N === undefined ? undefined : compareNumbers(a.N, b.N);
  if (a.S !== undefined) return b.S === undefined ? undefined : compareStrings(a.S, b.S);
  if (a.B !== undefined) return b.B === undefined ? undefined : Buffer.compare(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}

/** How DynamoDB prints a literal in messages: `{N:5}`. */
export function describeValue(value: AttributeValue): string {
  const t = typeOf(value);
  const inner = value[t];
  return `{${t}:${Array.isArray(inner) ? `[${inner.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]` : typeof inner === 'object' ? JSON.stringify(inner) : String(inner)}}`;
}
