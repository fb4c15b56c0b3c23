// Compares what a case expects with what came back, following FORMAT.md's matching rules.

import { CaseFormatError } from './errors.js';

export const ANY = '<<any>>';
export const ABSENT = '<<absent>>';

export type Pattern = { kind: 'any' } | { kind: 'absent' } | { kind: 're'; re: RegExp; source: string };

/** Response header lines: lower-case name -> the values of each line, in order. */
export type HeaderLines = Map<string, string[]>;

export type MatchMode = 'exact' | 'subset';

/** The pattern an expected value stands for, or undefined when it is a plain value. */
export function parsePattern(value: unknown): Pattern | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === ANY) return { kind: 'any' };
  if (value === ABSENT) return { kind: 'absent' };
  if (value.startsWith('<<re:') && value.endsWith('>>') && value.length >= 7) {
    const source = value.slice(5, -2);
    try {
      return { kind: 're', re: new RegExp(source), source };
    } catch (err) {
      throw new CaseFormatError(`invalid pattern ${value}: ${(err as Error).message}`);
    }
  }
  return undefined;
}

/** Short, single-line rendering of a value for failure messages. */
export function describe(value: unknown, max = 300): string {
  if (value === undefined) return '(absent)';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function ownValue(obj: object, key: string): unknown {
  // Own properties only, so an expected key such as "constructor" never hits the prototype.
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function matchPattern(pattern: Pattern, actual: unknown, path: string): string | undefined {
  switch (pattern.kind) {
    case 'any':
      return actual === undefined ? `${path}: expected a value, got (absent)` : undefined;
    case 'absent':
      return actual === undefined ? undefined : `${path}: expected (absent), got ${describe(actual)}`;
    case 're':
      if (typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean') {
        return pattern.re.test(String(actual))
          ? undefined
          : `${path}: ${describe(actual)} does not match /${pattern.source}/`;
      }
      return `${path}: expected a string matching /${pattern.source}/, got ${describe(actual)}`;
  }
}

/**
 * First difference between an expected and an actual value, or undefined when they match.
 * `exact` fails on extra object keys, `subset` allows them; arrays always match element by element.
 */
export function matchValue(expected: unknown, actual: unknown, mode: MatchMode, path = '$'): string | undefined {
  const pattern = parsePattern(expected);
  if (pattern) return matchPattern(pattern, actual, path);
  if (actual === undefined) return `${path}: expected ${describe(expected)}, got (absent)`;

  if (expected === null || typeof expected !== 'object') {
    return expected === actual ? undefined : `${path}: expected ${describe(expected)}, got ${describe(actual)}`;
  }

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${describe(actual)}`;
    if (expected.length !== actual.length) {
      return `${path}: expected ${expected.length} element(s), got ${actual.length}: ${describe(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const diff = matchValue(expected[i], actual[i], mode, `${path}[${i}]`);
      if (diff) return diff;
    }
    return undefined;
  }

  if (!isPlainObject(actual)) return `${path}: expected an object, got ${describe(actual)}`;
  const expectedObj = expected as Record<string, unknown>;
  for (const key of Object.keys(expectedObj)) {
    const diff = matchValue(expectedObj[key], ownValue(actual, key), mode, childPath(path, key));
    if (diff) return diff;
  }
  if (mode === 'exact') {
    for (const key of Object.keys(actual)) {
      if (actual[key] !== undefined && !Object.prototype.hasOwnProperty.call(expectedObj, key)) {
        return `${childPath(path, key)}: unexpected key (value ${describe(actual[key])})`;
      }
    }
  }
  return undefined;
}

/** Groups raw header lines (as node:http's rawHeaders gives them) by lower-case name. */
export function headersFromRaw(raw: readonly string[]): HeaderLines {
  const lines: HeaderLines = new Map();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const list = lines.get(name);
    if (list) list.push(raw[i + 1]!);
    else lines.set(name, [raw[i + 1]!]);
  }
  return lines;
}

function headerText(expected: unknown, where: string): string {
  if (typeof expected === 'string') return expected;
  // YAML may turn `x-count: 5` into a number; a header is always text, so compare its text.
  if (typeof expected === 'number' || typeof expected === 'boolean') return String(expected);
  throw new CaseFormatError(`${where}: a header is expected as a string, a pattern or a list, got ${describe(expected)}`);
}

function matchHeaderText(expected: unknown, actual: string, where: string): string | undefined {
  const pattern = parsePattern(expected);
  if (pattern?.kind === 'absent') throw new CaseFormatError(`${where}: <<absent>> cannot stand for one header line`);
  if (pattern) return matchPattern(pattern, actual, where);
  const text = headerText(expected, where);
  return text === actual ? undefined : `${where}: expected ${describe(text)}, got ${describe(actual)}`;
}

/**
 * First header that does not match. Names are case-insensitive; a string or pattern is compared
 * with all lines of that header joined by ", "; a list is compared line by line.
 */
export function matchHeaders(expected: Record<string, unknown>, actual: HeaderLines): string | undefined {
  for (const [name, want] of Object.entries(expected)) {
    const where = `header ${name.toLowerCase()}`;
    const lines = actual.get(name.toLowerCase());
    const pattern = parsePattern(want);
    if (pattern?.kind === 'absent') {
      if (lines) return `${where}: expected (absent), got ${describe(lines.join(', '))}`;
      continue;
    }
    if (!lines) return `${where}: expected ${describe(want)}, got (absent)`;
    if (Array.isArray(want)) {
      if (want.length !== lines.length) {
        return `${where}: expected ${want.length} line(s) ${describe(want)}, got ${lines.length}: ${describe(lines)}`;
      }
      for (let i = 0; i < want.length; i++) {
        const diff = matchHeaderText(want[i], lines[i]!, `${where}[${i}]`);
        if (diff) return diff;
      }
      continue;
    }
    const diff = matchHeaderText(want, lines.join(', '), where);
    if (diff) return diff;
  }
  return undefined;
}

/** Status: a number, a pattern (tested on the number's text) or a numeric string. */
export function matchStatus(expected: unknown, actual: number): string | undefined {
  const pattern = parsePattern(expected);
  if (pattern) return matchValue(expected, actual, 'exact', 'status');
  if (typeof expected === 'number') {
    return expected === actual ? undefined : `status: expected ${expected}, got ${actual}`;
  }
  if (typeof expected === 'string' && /^\d{3}$/.test(expected)) {
    return expected === String(actual) ? undefined : `status: expected ${expected}, got ${actual}`;
  }
  throw new CaseFormatError(`status: expected a number or a pattern, got ${describe(expected)}`);
}
