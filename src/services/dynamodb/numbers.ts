/**
 * DynamoDB numbers as exact decimals: up to 38 significant digits, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125 (Developer Guide "Supported data types" -> Number).
 * Compared and added exactly, never through floating point.
 */
import { validation } from './errors.js';

/** value = 0.<digits> x 10^exp; zero has digits ''. `digits` has no leading or trailing zeros. */
export interface Decimal {
  readonly neg: boolean;
  readonly digits: string;
  readonly exp: number;
}

const ZERO: Decimal = { neg: false, digits: '', exp: 0 };
const SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_DIGITS = 38;
const MAX_EXP = 126; // 9.99..E+125 = 0.999.. x 10^126
const MIN_EXP = -129; // 1E-130 = 0.1 x 10^-129

/** Parses without range checks; undefined when the text is not a number. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = SYNTAX.exec(text);
  if (m === null) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int.length + frac.length === 0) return undefined;
  const all = int + frac;
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 48) start++;
  if (start === all.length) return ZERO;
  let end = all.length;
  while (all.charCodeAt(end - 1) === 48) end--;
  const exp = int.length - start + (m[4] === undefined ? 0 : Number(m[4]));
  return { neg: m[1] === '-', digits: all.slice(start, end), exp };
}

/** DynamoDB's limits on a stored number; the messages are DynamoDB's. */
export function checkRange(d: Decimal): Decimal {
  if (d.digits.length === 0) return d;
  if (d.digits.length > MAX_DIGITS) throw validation('Attempting to store more than 38 significant digits in a Number');
  if (d.exp > MAX_EXP) throw validation('Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (d.exp < MIN_EXP) throw validation('Number underflow. Attempting to store a number with magnitude smaller than supported range');
  return d;
}

/** The canonical text DynamoDB answers with: no exponent, no leading or trailing zeros. */
export function formatDecimal(d: Decimal): string {
  if (d.digits.length === 0) return '0';
  const { digits, exp } = d;
  let body: string;
  if (exp <= 0) body = '0.' + '0'.repeat(-exp) + digits;
  else if (exp >= digits.length) body = digits + '0'.repeat(exp - digits.length);
  else body = digits.slice(0, exp) + '.' + digits.slice(exp);
  return d.neg ? '-' + body : body;
}

/** Validates and canonicalizes a number's text, or returns undefined when it is not a number. */
export function normalizeNumber(text: string): string | undefined {
  const d = parseDecimal(text);
  return d === undefined ? undefined : formatDecimal(checkRange(d));
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.digits.length === 0 ? 0 : a.neg ? -1 : 1;
  const sb = b.digits.length === 0 ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let mag: number;
  if (a.exp !== b.exp) mag = a.exp < b.exp ? -1 : 1;
  // Same exponent: digit strings without trailing zeros compare lexicographically ('1' < '15' < '2').
  else mag = a.digits === b.digits ? 0 : a.digits < b.digits ? -1 : 1;
  return sa < 0 ? -mag : mag;
}

/** Compares two canonical number texts numerically. */
export function compareNumbers(a: string, b: string): number {
  if (a === b) return 0;
  return compareDecimal(parseDecimal(a)!, parseDecimal(b)!);
}

function toScaled(d: Decimal): { mant: bigint; scale: number } {
  if (d.digits.length === 0) return { mant: 0n, scale: 0 };
  const mant = BigInt(d.digits);
  return { mant: d.neg ? -mant : mant, scale: d.exp - d.digits.length };
}

function fromScaled(mant: bigint, scale: number): Decimal {
  if (mant === 0n) return ZERO;
  const neg = mant < 0n;
  const text = (neg ? -mant : mant).toString();
  return parseDecimal(`${neg ? '-' : ''}${text}e${scale}`)!;
}

/** a + b (or a - b) exactly, with DynamoDB's range checks on the result. */
export function addNumbers(a: string, b: string, subtract = false): string {
  const x = toScaled(parseDecimal(a)!);
  const y = toScaled(parseDecimal(b)!);
  const scale = Math.min(x.scale, y.scale);
  const xm = x.mant * 10n ** BigInt(x.scale - scale);
  let ym = y.mant * 10n ** BigInt(y.scale - scale);
  if (subtract) ym = -ym;
  return formatDecimal(checkRange(fromScaled(xm + ym, scale)));
}
