/** Typed reading of plain definition values, reporting a problem at the exact pointer when a value has the wrong shape. */
import { at, type Loc, type Problems } from './errors.js';

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Scalars as strings: YAML reads `statusCode: 200` as a number where AWS means the string '200'. */
export function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Numbers as numbers: a template's parameters reach its properties as strings ('3' for 3). */
export function scalarNumber(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Reads the fields of one object; every accessor reports wrong shapes at `loc/<key>`. */
export class Fields {
  constructor(
    readonly obj: JsonObject,
    readonly loc: Loc,
    readonly problems: Problems,
  ) {}

  static of(value: unknown, loc: Loc, problems: Problems, what = 'an object'): Fields | undefined {
    if (isRecord(value)) return new Fields(value, loc, problems);
    if (value !== undefined) problems.add(loc, `must be ${what}, found ${describe(value)}`);
    return undefined;
  }

  at(key: string, ...more: (string | number)[]): Loc {
    return at(this.loc, key, ...more);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  private wrong(key: string, what: string): undefined {
    this.problems.add(this.at(key), `must be ${what}, found ${describe(this.obj[key])}`);
    return undefined;
  }

  /** Reports a missing key at this object, unless it is missing because its value could not be resolved. */
  missing(key: string, message = `${key} is required`): void {
    if (!this.problems.isUnresolved(this.at(key))) this.problems.add(this.loc, message);
  }

  str(key: string, required = false): string | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) {
      if (required) this.missing(key);
      return undefined;
    }
    return scalarString(value) ?? this.wrong(key, 'a string');
  }

  bool(key: string): boolean | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return this.wrong(key, 'a boolean');
  }

  int(key: string, min?: number, max?: number): number | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    const n = scalarNumber(value);
    if (typeof n !== 'number' || !Number.isInteger(n)) return this.wrong(key, 'an integer');
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      this.problems.add(this.at(key), `must be between ${min ?? '-inf'} and ${max ?? 'inf'}, found ${n}`);
      return undefined;
    }
    return n;
  }

  num(key: string): number | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    const n = scalarNumber(value);
    return typeof n === 'number' && Number.isFinite(n) ? n : this.wrong(key, 'a number');
  }

  /** A list of strings; a single string is accepted as a one-element list only when `single` is set. */
  strList(key: string, single = false): string[] {
    const value = this.obj[key];
    if (value === undefined || value === null) return [];
    if (single && scalarString(value) !== undefined) return [scalarString(value)!];
    if (!Array.isArray(value)) return this.wrong(key, 'a list of strings') ?? [];
    const out: string[] = [];
    value.forEach((item, i) => {
      const s = scalarString(item);
      if (s === undefined) this.problems.add(this.at(key, i), `must be a string, found ${describe(item)}`);
      else out.push(s);
    });
    return out;
  }

  record(key: string): JsonObject | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    return isRecord(value) ? value : this.wrong(key, 'an object');
  }

  fields(key: string): Fields | undefined {
    const value = this.record(key);
    return value && new Fields(value, this.at(key), this.problems);
  }

  list(key: string): unknown[] {
    const value = this.obj[key];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : (this.wrong(key, 'a list') ?? []);
  }

  /** Object of string values (mapping expressions, templates, variables). */
  strMap(key: string): Record<string, string> {
    const value = this.record(key);
    const out: Record<string, string> = {};
    if (!value) return out;
    for (const [k, v] of Object.entries(value)) {
      const s = scalarString(v);
      if (s === undefined) this.problems.add(this.at(key, k), `must be a string, found ${describe(v)}`);
      else out[k] = s;
    }
    return out;
  }

  /** Object of booleans (`method.request.querystring.x: true`). */
  boolMap(key: string): Record<string, boolean> {
    const value = this.record(key);
    const out: Record<string, boolean> = {};
    if (!value) return out;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'boolean') out[k] = v;
      else if (v === 'true' || v === 'false') out[k] = v === 'true';
      else this.problems.add(this.at(key, k), `must be a boolean, found ${describe(v)}`);
    }
    return out;
  }

  /** An uppercase value from a fixed set, accepting the lower-case spelling API Gateway exports use. */
  oneOf<T extends string>(key: string, allowed: readonly T[], required = false): T | undefined {
    const value = this.str(key, required);
    if (value === undefined) return undefined;
    const upper = value.toUpperCase() as T;
    if (allowed.includes(upper)) return upper;
    this.problems.add(this.at(key), `must be one of ${allowed.join(', ')}, found ${JSON.stringify(value)}`);
    return undefined;
  }
}
