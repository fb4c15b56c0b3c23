/**
 * Intrinsic functions of the JSONPath query language: `States.Format('{} items', $.n)` and the rest,
 * with literal, path, context, variable and nested-call arguments.
 * AWS docs: Step Functions developer guide, "Intrinsic functions for JSONPath states"; Amazon States
 * Language specification, "Intrinsic Functions".
 */
import { createHash, randomUUID } from 'node:crypto';
import { compilePath, deepEqual, evaluatePath, type CompiledPath, type PathRoots } from './jsonpath.js';
import { runtimeError, States, StatesError } from './errors.js';

type Arg = { k: 'literal'; value: unknown } | { k: 'path'; path: CompiledPath } | { k: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  name: string;
  args: Arg[];
}

export class IntrinsicSyntaxError extends Error {}

export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\(/.test(text.trimStart());
}

const parsed = new Map<string, IntrinsicCall>();

export function parseIntrinsic(text: string): IntrinsicCall {
  let call = parsed.get(text);
  if (call === undefined) {
    const parser = new Parser(text.trim());
    call = parser.call();
    parser.spaces();
    if (parser.pos !== parser.text.length) parser.fail('unexpected text after the call');
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, call);
  }
  return call;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new IntrinsicSyntaxError(`Invalid intrinsic function '${this.text}': ${message} at position ${this.pos}`);
  }

  spaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  call(): IntrinsicCall {
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('expected States.<Function>');
    this.pos += match[0].length;
    const name = match[0];
    if (!(name in FUNCTIONS)) this.fail(`unknown function ${name}`);
    this.spaces();
    if (this.text[this.pos] !== '(') this.fail("expected '('");
    this.pos++;
    const args: Arg[] = [];
    this.spaces();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { name, args };
    }
    for (;;) {
      args.push(this.arg());
      this.spaces();
      const c = this.text[this.pos++];
      if (c === ')') return { name, args };
      if (c !== ',') this.fail("expected ',' or ')'");
    }
  }

  arg(): Arg {
    this.spaces();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("'")) return { k: 'literal', value: this.string() };
    if (rest.startsWith('States.')) return { k: 'call', call: this.call() };
    if (rest.startsWith('$')) {
      const start = this.pos;
      let depth = 0;
      let quote: string | null = null;
      while (this.pos < this.text.length) {
        const c = this.text[this.pos]!;
        if (quote !== null) {
          if (c === quote) quote = null;
        } else if (c === "'" || c === '"') quote = c;
        else if (c === '[' || c === '(') depth++;
        else if (c === ']' || c === ')') {
          if (depth === 0) break;
          depth--;
        } else if (c === ',' && depth === 0) break;
        this.pos++;
      }
      return { k: 'path', path: compilePath(this.text.slice(start, this.pos).trim()) };
    }
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (literal === null) this.fail('expected an argument');
    this.pos += literal[0].length;
    return { k: 'literal', value: JSON.parse(literal[0]) };
  }

  /** `'...'` with `\'`, `\{`, `\}` and `\\` escapes; `\{`/`\}` stay escaped for States.Format. */
  string(): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== "'") {
      const c = this.text[this.pos]!;
      if (c === '\\' && this.pos + 1 < this.text.length) {
        const next = this.text[this.pos + 1]!;
        out += next === '{' || next === '}' ? '\\' + next : next;
        this.pos += 2;
      } else {
        out += c;
        this.pos++;
      }
    }
    if (this.text[this.pos] !== "'") this.fail('unterminated string');
    this.pos++;
    return out;
  }
}

const failure = (cause: string) => new StatesError(States.IntrinsicFailure, cause);

export function evaluateIntrinsic(call: IntrinsicCall, roots: PathRoots): unknown {
  const args = call.args.map((arg) => {
    if (arg.k === 'literal') return arg.value;
    if (arg.k === 'call') return evaluateIntrinsic(arg.call, roots);
    const result = evaluatePath(arg.path, roots);
    if (!result.found) throw runtimeError(`The JsonPath argument for the intrinsic function ${call.name} could not be found: '${arg.path.text}'`);
    return result.value;
  });
  return callIntrinsic(call.name, args);
}

/** Runs intrinsic `name` (e.g. `States.Hash`) on evaluated arguments; JSONata's equivalents reuse them. */
export function callIntrinsic(name: string, args: unknown[]): unknown {
  const fn = FUNCTIONS[name]!;
  if (args.length < fn.min || args.length > fn.max) {
    throw failure(`The function ${name} takes ${fn.min === fn.max ? fn.min : `${fn.min} to ${fn.max}`} arguments, ${args.length} given`);
  }
  return fn.run(args, name);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function array(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) throw failure(`The function ${name} expects an array argument`);
  return v;
}

function integer(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw failure(`The function ${name} expects an integer argument, got ${JSON.stringify(v)}`);
  return v;
}

function string(v: unknown, name: string): string {
  if (typeof v !== 'string') throw failure(`The function ${name} expects a string argument, got ${JSON.stringify(v)}`);
  return v;
}

/** "The input data for Base64Encode/Decode/Hash ... can't exceed 10,000 characters." */
const MAX_STRING = 10_000;

function format(args: unknown[], name: string): string {
  const template = string(args[0], name);
  let next = 1;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && (template[i + 1] === '{' || template[i + 1] === '}')) {
      out += template[++i];
    } else if (c === '{' && template[i + 1] === '}') {
      if (next >= args.length) throw failure(`The function ${name} has more placeholders than arguments`);
      const value = args[next++];
      if (value !== null && typeof value === 'object') throw failure(`The function ${name} accepts only string, number, boolean or null arguments`);
      out += value === null ? 'null' : String(value);
      i++;
    } else out += c;
  }
  if (next !== args.length) throw failure(`The function ${name} has more arguments than placeholders`);
  return out;
}

/** A seeded generator (mulberry32) so `States.MathRandom(a, b, seed)` repeats for a seed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const FUNCTIONS: Record<string, { min: number; max: number; run(args: unknown[], name: string): unknown }> = {
  'States.Format': { min: 1, max: Infinity, run: format },
  'States.StringToJson': {
    min: 1,
    max: 1,
    run([s], name) {
      try {
        return JSON.parse(string(s, name));
      } catch (error) {
        if (error instanceof StatesError) throw error;
        throw failure(`The function ${name} could not parse its argument as JSON`);
      }
    },
  },
  'States.JsonToString': { min: 1, max: 1, run: ([v]) => JSON.stringify(v) },
  'States.Array': { min: 0, max: Infinity, run: (args) => args },
  'States.ArrayPartition': {
    min: 2,
    max: 2,
    run([a, size], name) {
      const items = array(a, name);
      const n = integer(size, name);
      if (n <= 0) throw failure(`The function ${name} expects a positive chunk size`);
      const out: unknown[][] = [];
      for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
      return out;
    },
  },
  'States.ArrayContains': { min: 2, max: 2, run: ([a, v], name) => array(a, name).some((x) => deepEqual(x, v)) },
  'States.ArrayRange': {
    min: 3,
    max: 3,
    run([a, b, s], name) {
      const start = integer(a, name);
      const end = integer(b, name);
      const stepBy = integer(s, name);
      if (stepBy === 0) throw failure(`The function ${name} expects a non-zero step`);
      const out: number[] = [];
      for (let v = start; stepBy > 0 ? v <= end : v >= end; v += stepBy) {
        out.push(v);
        // "The array generated by this function can't contain more than 1,000 items."
        if (out.length > 1000) throw failure(`The function ${name} would return more than 1000 items`);
      }
      return out;
    },
  },
  'States.ArrayGetItem': {
    min: 2,
    max: 2,
    run([a, i], name) {
      const items = array(a, name);
      const index = integer(i, name);
      if (index < 0 || index >= items.length) throw failure(`The function ${name} was given index ${index} outside the array of ${items.length} items`);
      return items[index];
    },
  },
  'States.ArrayLength': { min: 1, max: 1, run: ([a], name) => array(a, name).length },
  'States.ArrayUnique': {
    min: 1,
    max: 1,
    run([a], name) {
      const out: unknown[] = [];
      for (const item of array(a, name)) if (!out.some((x) => deepEqual(x, item))) out.push(item);
      return out;
    },
  },
  'States.Base64Encode': {
    min: 1,
    max: 1,
    run([s], name) {
      const text = string(s, name);
      if (text.length > MAX_STRING) throw failure(`The function ${name} accepts at most ${MAX_STRING} characters`);
      return Buffer.from(text, 'utf8').toString('base64');
    },
  },
  'States.Base64Decode': {
    min: 1,
    max: 1,
    run([s], name) {
      const text = string(s, name);
      if (text.length > MAX_STRING) throw failure(`The function ${name} accepts at most ${MAX_STRING} characters`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw failure(`The function ${name} was given invalid base64`);
      return Buffer.from(text, 'base64').toString('utf8');
    },
  },
  'States.Hash': {
    min: 2,
    max: 2,
    run([data, algorithm], name) {
      const algo = HASHES[string(algorithm, name)];
      if (algo === undefined) throw failure(`The function ${name} supports MD5, SHA-1, SHA-256, SHA-384 and SHA-512`);
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      if (text.length > MAX_STRING) throw failure(`The function ${name} accepts at most ${MAX_STRING} characters`);
      return createHash(algo).update(text, 'utf8').digest('hex');
    },
  },
  'States.JsonMerge': {
    min: 3,
    max: 3,
    run([a, b, deep], name) {
      if (!isObject(a) || !isObject(b)) throw failure(`The function ${name} merges two JSON objects`);
      // "Step Functions only supports the shallow merging mode; therefore, you must specify the boolean value as false."
      if (deep !== false) throw failure(`The function ${name} only supports shallow merging: its third argument must be false`);
      return { ...a, ...b };
    },
  },
  'States.MathRandom': {
    min: 2,
    max: 3,
    run([a, b, seed], name) {
      const start = integer(a, name);
      const end = integer(b, name);
      if (end <= start) throw failure(`The function ${name} expects start < end`);
      const random = seed === undefined ? Math.random : seeded(integer(seed, name));
      return start + Math.floor(random() * (end - start));
    },
  },
  'States.MathAdd': {
    min: 2,
    max: 2,
    run([a, b], name) {
      if (typeof a !== 'number' || typeof b !== 'number') throw failure(`The function ${name} adds two numbers`);
      return a + b;
    },
  },
  'States.StringSplit': {
    min: 2,
    max: 2,
    run([s, d], name) {
      const text = string(s, name);
      const delimiters = new Set(string(d, name));
      const out: string[] = [];
      let token = '';
      for (const c of text) {
        if (delimiters.has(c)) {
          if (token !== '') out.push(token);
          token = '';
        } else token += c;
      }
      if (token !== '') out.push(token);
      return out;
    },
  },
  'States.UUID': { min: 0, max: 0, run: () => randomUUID() },
};
