/** Method tables of java.lang.String, Integer/Long/Double and Boolean, as Velocity's introspection would call them. */
import { JavaException } from './errors.js';
import { javaMatches, javaReplace, javaSplit } from './java-regex.js';
import {
  compareNumbers,
  isInt,
  JavaDouble,
  javaEquals,
  javaToString,
  kindOf,
  K_DOUBLE,
  makeDouble,
  NO_METHOD,
  numberValue,
  type MethodResult,
} from './values.js';

export type Method<T> = (self: T, args: readonly unknown[]) => MethodResult;

/** Strings longer than this abort the render (API Gateway payloads are at most 10 MB). */
export const MAX_STRING_LENGTH = 16 * 1024 * 1024;

export function npe(): JavaException {
  return new JavaException('java.lang.NullPointerException', 'null argument');
}

export function outOfBounds(kind: string, index: number, size: number): JavaException {
  return new JavaException(`java.lang.${kind}IndexOutOfBoundsException`, `Index: ${index}, Size: ${size}`);
}

export function checkLength(s: string): string {
  if (s.length > MAX_STRING_LENGTH) throw new JavaException('java.lang.OutOfMemoryError', 'string too large');
  return s;
}

/** A CharSequence/String parameter: a String, or null (which Java passes and then throws on). */
export function strArg(v: unknown): string | null | typeof NO_METHOD {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : NO_METHOD;
}

// ---------------------------------------------------------------------------------------------
// java.lang.String

function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function foldCase(s: string): string {
  return s.toUpperCase().toLowerCase();
}

/** `String.replaceAll(regex, replacement)` (every match) or `replaceFirst` (the first one). */
function regexReplace(everyMatch: boolean): Method<string> {
  return (s, a) => {
    if (a.length !== 2) return NO_METHOD;
    const regex = strArg(a[0]);
    const replacement = strArg(a[1]);
    if (regex === NO_METHOD || replacement === NO_METHOD) return NO_METHOD;
    if (regex === null || replacement === null) throw npe();
    return checkLength(javaReplace(s, regex, replacement, everyMatch));
  };
}

export const STRING_METHODS = new Map<string, Method<string>>([
  ['length', (s, a) => (a.length === 0 ? s.length : NO_METHOD)],
  ['isEmpty', (s, a) => (a.length === 0 ? s.length === 0 : NO_METHOD)],
  ['toString', (s, a) => (a.length === 0 ? s : NO_METHOD)],
  ['intern', (s, a) => (a.length === 0 ? s : NO_METHOD)],
  ['hashCode', (s, a) => (a.length === 0 ? javaHash(s) : NO_METHOD)],
  ['trim', (s, a) => (a.length === 0 ? javaTrim(s) : NO_METHOD)],
  ['toLowerCase', (s, a) => (a.length === 0 ? s.toLowerCase() : NO_METHOD)],
  ['toUpperCase', (s, a) => (a.length === 0 ? s.toUpperCase() : NO_METHOD)],
  [
    'charAt',
    (s, a) => {
      if (a.length !== 1 || !isInt(a[0])) return NO_METHOD;
      const i = a[0];
      if (i < 0 || i >= s.length) throw outOfBounds('String', i, s.length);
      return s[i]!;
    },
  ],
  [
    'codePointAt',
    (s, a) => {
      if (a.length !== 1 || !isInt(a[0])) return NO_METHOD;
      const i = a[0];
      if (i < 0 || i >= s.length) throw outOfBounds('String', i, s.length);
      return s.codePointAt(i)!;
    },
  ],
  [
    'substring',
    (s, a) => {
      if (a.length < 1 || a.length > 2 || !isInt(a[0]) || (a.length === 2 && !isInt(a[1]))) return NO_METHOD;
      const begin = a[0] as number;
      const end = a.length === 2 ? (a[1] as number) : s.length;
      if (begin < 0 || end > s.length || begin > end) {
        throw new JavaException('java.lang.StringIndexOutOfBoundsException', `begin ${begin}, end ${end}, length ${s.length}`);
      }
      return s.slice(begin, end);
    },
  ],
  [
    'indexOf',
    (s, a) => {
      if (a.length < 1 || a.length > 2 || (a.length === 2 && !isInt(a[1]))) return NO_METHOD;
      const needle = isInt(a[0]) ? String.fromCodePoint(a[0]) : strArg(a[0]);
      if (needle === NO_METHOD) return NO_METHOD;
      if (needle === null) throw npe();
      const from = a.length === 2 ? Math.max(0, a[1] as number) : 0;
      return s.indexOf(needle, from);
    },
  ],
  [
    'lastIndexOf',
    (s, a) => {
      if (a.length < 1 || a.length > 2 || (a.length === 2 && !isInt(a[1]))) return NO_METHOD;
      const needle = isInt(a[0]) ? String.fromCodePoint(a[0]) : strArg(a[0]);
      if (needle === NO_METHOD) return NO_METHOD;
      if (needle === null) throw npe();
      if (a.length === 2) {
        const from = a[1] as number;
        return from < 0 ? -1 : s.lastIndexOf(needle, from);
      }
      return s.lastIndexOf(needle);
    },
  ],
  [
    'contains',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      return s.includes(t);
    },
  ],
  [
    'startsWith',
    (s, a) => {
      if (a.length < 1 || a.length > 2 || (a.length === 2 && !isInt(a[1]))) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      const offset = a.length === 2 ? (a[1] as number) : 0;
      return offset >= 0 && offset <= s.length && s.startsWith(t, offset);
    },
  ],
  [
    'endsWith',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      return s.endsWith(t);
    },
  ],
  ['equals', (s, a) => (a.length === 1 ? javaEquals(s, a[0]) : NO_METHOD)],
  [
    'equalsIgnoreCase',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      return t !== null && t.length === s.length && (t === s || foldCase(t) === foldCase(s));
    },
  ],
  [
    'compareTo',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      return compareStrings(s, t);
    },
  ],
  [
    'compareToIgnoreCase',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      return compareStrings(foldCase(s), foldCase(t));
    },
  ],
  [
    'concat',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const t = strArg(a[0]);
      if (t === NO_METHOD) return NO_METHOD;
      if (t === null) throw npe();
      return checkLength(s + t);
    },
  ],
  [
    'replace',
    (s, a) => {
      if (a.length !== 2) return NO_METHOD;
      const target = strArg(a[0]);
      const replacement = strArg(a[1]);
      if (target === NO_METHOD || replacement === NO_METHOD) return NO_METHOD;
      if (target === null || replacement === null) throw npe();
      return checkLength(s.replaceAll(target, () => replacement));
    },
  ],
  ['replaceAll', regexReplace(true)],
  ['replaceFirst', regexReplace(false)],
  [
    'matches',
    (s, a) => {
      if (a.length !== 1) return NO_METHOD;
      const regex = strArg(a[0]);
      if (regex === NO_METHOD) return NO_METHOD;
      if (regex === null) throw npe();
      return javaMatches(s, regex);
    },
  ],
  [
    'split',
    (s, a) => {
      if (a.length < 1 || a.length > 2 || (a.length === 2 && !isInt(a[1]))) return NO_METHOD;
      const regex = strArg(a[0]);
      if (regex === NO_METHOD) return NO_METHOD;
      if (regex === null) throw npe();
      return javaSplit(s, regex, a.length === 2 ? (a[1] as number) : 0);
    },
  ],
]);

// ---------------------------------------------------------------------------------------------
// java.lang.Integer / Long / Double, java.lang.Boolean

export function toJavaInt(d: number, bits: 32 | 64): number {
  if (Number.isNaN(d)) return 0;
  const limit = bits === 32 ? 2147483647 : 9223372036854775807;
  if (d >= limit) return limit;
  if (d <= -limit - 1) return -limit - 1;
  return Math.trunc(d) + 0;
}

export const NUMBER_METHODS = new Map<string, Method<number | JavaDouble>>([
  ['intValue', (n, a) => (a.length === 0 ? toJavaInt(numberValue(n), 32) : NO_METHOD)],
  ['shortValue', (n, a) => (a.length === 0 ? (toJavaInt(numberValue(n), 32) << 16) >> 16 : NO_METHOD)],
  ['byteValue', (n, a) => (a.length === 0 ? (toJavaInt(numberValue(n), 32) << 24) >> 24 : NO_METHOD)],
  ['longValue', (n, a) => (a.length === 0 ? toJavaInt(numberValue(n), 64) : NO_METHOD)],
  ['doubleValue', (n, a) => (a.length === 0 ? makeDouble(numberValue(n)) : NO_METHOD)],
  ['floatValue', (n, a) => (a.length === 0 ? makeDouble(Math.fround(numberValue(n))) : NO_METHOD)],
  ['toString', (n, a) => (a.length === 0 ? javaToString(n) : NO_METHOD)],
  ['equals', (n, a) => (a.length === 1 ? javaEquals(n, a[0]) : NO_METHOD)],
  ['hashCode', (n, a) => (a.length === 0 && isInt(n) ? Number(BigInt.asIntN(32, BigInt(n))) : NO_METHOD)],
  [
    'compareTo',
    (n, a) => {
      if (a.length !== 1) return NO_METHOD;
      if (a[0] == null) throw npe();
      if (kindOf(a[0]) !== kindOf(n)) return NO_METHOD;
      return compareNumbers(n, a[0] as number | JavaDouble);
    },
  ],
  ['isNaN', (n, a) => (a.length === 0 && kindOf(n) === K_DOUBLE ? Number.isNaN(numberValue(n)) : NO_METHOD)],
  ['isInfinite', (n, a) => (a.length === 0 && kindOf(n) === K_DOUBLE ? Math.abs(numberValue(n)) === Infinity : NO_METHOD)],
]);

export const BOOLEAN_METHODS = new Map<string, Method<boolean>>([
  ['booleanValue', (b, a) => (a.length === 0 ? b : NO_METHOD)],
  ['toString', (b, a) => (a.length === 0 ? (b ? 'true' : 'false') : NO_METHOD)],
  ['equals', (b, a) => (a.length === 1 ? a[0] === b : NO_METHOD)],
  ['hashCode', (b, a) => (a.length === 0 ? (b ? 1231 : 1237) : NO_METHOD)],
  [
    'compareTo',
    (b, a) => {
      if (a.length !== 1) return NO_METHOD;
      if (a[0] == null) throw npe();
      if (typeof a[0] !== 'boolean') return NO_METHOD;
      return b === a[0] ? 0 : b ? 1 : -1;
    },
  ],
]);
