/**
 * JSONPath as API Gateway evaluates it (Jayway JsonPath): `$`, `.name`, `['name']`, `['a','b']`,
 * `[0]`, `[-1]`, `[0,1]`, `[1:3]`, `[*]`, `.*`, `..name`, and filters `[?(@.x == 'y')]`,
 * `[?(@.n > 2)]`, `[?(@.x)]`, `=~ /re/`, `in`, `nin`, `&&`, `||`, `!`. A definite path yields one value
 * (or nothing); a path with wildcards, deep scans, filters, slices or several indexes yields a list.
 * Works on plain JSON (JSON.parse output) and on the VTL engine's Java values (Map / JsonArray).
 * AWS docs: "API Gateway mapping template and access logging variable reference" ($input.path, $input.json).
 */
import { javaMatches } from './vtl/java-regex.js';
import { compareNumbers, isNumber, javaEquals, JavaDouble, JsonArray, kindOf, K_ARRAY, K_JSON_LIST, K_LIST, K_MAP, K_OBJECT, mapGet, mapHas, mapValues, numberValue } from './vtl/values.js';

export class JsonPathSyntaxError extends Error {
  constructor(path: string, why: string) {
    super(`Invalid JSONPath ${JSON.stringify(path)}: ${why}`);
    this.name = 'JsonPathSyntaxError';
  }
}

type Segment =
  | { kind: 'props'; names: string[] }
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'slice'; start: number | null; end: number | null }
  | { kind: 'wildcard' }
  | { kind: 'scan'; inner: Segment }
  | { kind: 'filter'; test: FilterExpr };

type Operand =
  | { kind: 'path'; relative: boolean; segments: Segment[] }
  | { kind: 'value'; value: unknown }
  | { kind: 'regex'; pattern: string };

type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; inner: FilterExpr }
  | { kind: 'exists'; operand: Operand }
  | { kind: 'compare'; op: string; left: Operand; right: Operand };

export interface CompiledJsonPath {
  readonly source: string;
  readonly definite: boolean;
  readonly segments: readonly Segment[];
}

const MISSING: unique symbol = Symbol('jsonpath.missing');
type Found = unknown;

// ---------------------------------------------------------------------------------------------
// Parsing

const cache = new Map<string, CompiledJsonPath>();

export function compileJsonPath(path: string): CompiledJsonPath {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  let text = path.trim();
  if (!text.startsWith('$') && !text.startsWith('@')) text = text.startsWith('[') ? '$' + text : '$.' + text;
  const parser = new PathParser(text, path);
  parser.pos = 1;
  const segments = parser.parseSegments(false);
  if (parser.pos < text.length) throw new JsonPathSyntaxError(path, `unexpected ${JSON.stringify(text.slice(parser.pos))}`);
  const compiled: CompiledJsonPath = { source: path, definite: segments.every(isDefiniteSegment), segments };
  if (cache.size >= 1024) cache.clear();
  cache.set(path, compiled);
  return compiled;
}

function isDefiniteSegment(s: Segment, i: number, all: readonly Segment[]): boolean {
  switch (s.kind) {
    case 'props':
      return s.names.length === 1 || i === all.length - 1;
    case 'indexes':
      return s.indexes.length === 1;
    default:
      return false;
  }
}

class PathParser {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly original: string,
  ) {}

  private fail(why: string): JsonPathSyntaxError {
    return new JsonPathSyntaxError(this.original, why);
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  /** Segments until the end, or (inside a filter) until an operator or `)`. */
  parseSegments(inFilter: boolean): Segment[] {
    const t = this.text;
    const segments: Segment[] = [];
    for (;;) {
      const c = t[this.pos];
      if (c === '.' && t[this.pos + 1] === '.') {
        this.pos += 2;
        let inner: Segment;
        if (t[this.pos] === '[') inner = this.parseBracket();
        else if (t[this.pos] === '*') {
          this.pos++;
          inner = { kind: 'wildcard' };
        } else inner = { kind: 'props', names: [this.parseDotName()] };
        segments.push({ kind: 'scan', inner });
      } else if (c === '.') {
        this.pos++;
        if (t[this.pos] === '*') {
          this.pos++;
          segments.push({ kind: 'wildcard' });
        } else segments.push({ kind: 'props', names: [this.parseDotName()] });
      } else if (c === '[') {
        segments.push(this.parseBracket());
      } else {
        if (inFilter || c === undefined) return segments;
        throw this.fail(`unexpected ${JSON.stringify(c)}`);
      }
    }
  }

  private parseDotName(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !'.[ ()=!<>&|,'.includes(t[this.pos]!)) this.pos++;
    if (this.pos === start) throw this.fail('a property name is missing');
    return t.slice(start, this.pos);
  }

  private parseQuoted(): string {
    const t = this.text;
    const quote = t[this.pos]!;
    let out = '';
    this.pos++;
    for (;;) {
      const c = t[this.pos];
      if (c === undefined) throw this.fail('unterminated quoted name');
      this.pos++;
      if (c === quote) return out;
      if (c === '\\' && this.pos < t.length) {
        out += t[this.pos];
        this.pos++;
      } else out += c;
    }
  }

  private parseBracket(): Segment {
    const t = this.text;
    this.pos++;
    this.skipSpaces();
    let seg: Segment;
    const c = t[this.pos];
    if (c === '*') {
      this.pos++;
      seg = { kind: 'wildcard' };
    } else if (c === '?') {
      this.pos++;
      this.skipSpaces();
      if (t[this.pos] !== '(') throw this.fail("expected '(' after '?'");
      this.pos++;
      const test = this.parseOr();
      this.skipSpaces();
      if (t[this.pos] !== ')') throw this.fail("expected ')' closing the filter");
      this.pos++;
      seg = { kind: 'filter', test };
    } else if (c === "'" || c === '"') {
      const names = [this.parseQuoted()];
      this.skipSpaces();
      while (t[this.pos] === ',') {
        this.pos++;
        this.skipSpaces();
        if (t[this.pos] !== "'" && t[this.pos] !== '"') throw this.fail('expected a quoted name');
        names.push(this.parseQuoted());
        this.skipSpaces();
      }
      seg = { kind: 'props', names };
    } else {
      const m = /^(-?\d*)\s*(:)?\s*(-?\d*)/.exec(t.slice(this.pos));
      if (m === null || (m[1] === '' && m[2] === undefined)) throw this.fail('expected an index, a slice, a name, * or a filter');
      if (m[2] !== undefined) {
        this.pos += m[0].length;
        seg = { kind: 'slice', start: m[1] === '' ? null : Number(m[1]), end: m[3] === '' ? null : Number(m[3]) };
      } else {
        const indexes = [Number(m[1])];
        this.pos += m[1]!.length;
        this.skipSpaces();
        while (t[this.pos] === ',') {
          this.pos++;
          this.skipSpaces();
          const n = /^-?\d+/.exec(t.slice(this.pos));
          if (n === null) throw this.fail('expected an index');
          indexes.push(Number(n[0]));
          this.pos += n[0].length;
          this.skipSpaces();
        }
        seg = { kind: 'indexes', indexes };
      }
    }
    this.skipSpaces();
    if (t[this.pos] !== ']') throw this.fail("expected ']'");
    this.pos++;
    return seg;
  }

  // filter expressions
  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    for (;;) {
      this.skipSpaces();
      if (!this.text.startsWith('||', this.pos)) return left;
      this.pos += 2;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    for (;;) {
      this.skipSpaces();
      if (!this.text.startsWith('&&', this.pos)) return left;
      this.pos += 2;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
  }

  private parseUnary(): FilterExpr {
    this.skipSpaces();
    const t = this.text;
    if (t[this.pos] === '!' && t[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'not', inner: this.parseUnary() };
    }
    if (t[this.pos] === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.skipSpaces();
      if (t[this.pos] !== ')') throw this.fail("expected ')'");
      this.pos++;
      return inner;
    }
    const left = this.parseOperand();
    this.skipSpaces();
    const m = /^(==|!=|<=|>=|<|>|=~|in\b|nin\b|contains\b|size\b|empty\b|subsetof\b|anyof\b|noneof\b)/.exec(t.slice(this.pos));
    if (m === null) {
      if (left.kind !== 'path') throw this.fail('a filter needs a comparison');
      return { kind: 'exists', operand: left };
    }
    this.pos += m[0].length;
    this.skipSpaces();
    const right = this.parseOperand();
    return { kind: 'compare', op: m[1]!, left, right };
  }

  private parseOperand(): Operand {
    const t = this.text;
    const c = t[this.pos];
    if (c === '@' || c === '$') {
      this.pos++;
      return { kind: 'path', relative: c === '@', segments: this.parseSegments(true) };
    }
    if (c === "'" || c === '"') return { kind: 'value', value: this.parseQuoted() };
    if (c === '/') {
      const end = t.indexOf('/', this.pos + 1);
      if (end < 0) throw this.fail('unterminated regular expression');
      const body = t.slice(this.pos + 1, end);
      this.pos = end + 1;
      const flags = /^[a-z]*/.exec(t.slice(this.pos))![0];
      this.pos += flags.length;
      return { kind: 'regex', pattern: (flags.includes('i') ? '(?i)' : '') + body };
    }
    if (c === '[' || c === '{') {
      const end = matchingBracket(t, this.pos);
      if (end < 0) throw this.fail('unterminated JSON value');
      const json = t.slice(this.pos, end + 1).replace(/'/g, '"');
      this.pos = end + 1;
      try {
        return { kind: 'value', value: JSON.parse(json) as unknown };
      } catch {
        throw this.fail('invalid JSON value in filter');
      }
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true\b|false\b|null\b)/.exec(t.slice(this.pos));
    if (m === null) throw this.fail('expected a value in the filter');
    this.pos += m[0].length;
    const lit = m[0];
    return { kind: 'value', value: lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : Number(lit) };
  }
}

function matchingBracket(t: string, start: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < t.length; i++) {
    const c = t[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function isObject(node: unknown): boolean {
  const k = kindOf(node);
  return k === K_MAP || k === K_OBJECT;
}

function isArray(node: unknown): node is unknown[] {
  const k = kindOf(node);
  return k === K_LIST || k === K_JSON_LIST || k === K_ARRAY;
}

function member(node: unknown, name: string): Found | typeof MISSING {
  return mapHas(node, name) ? mapGet(node, name) : MISSING;
}

function children(node: unknown): unknown[] {
  if (isArray(node)) return node;
  if (isObject(node)) return mapValues(node);
  return [];
}

function apply(seg: Segment, node: unknown, out: unknown[], root: unknown, leaf: boolean): void {
  switch (seg.kind) {
    case 'props': {
      if (!isObject(node)) return;
      if (seg.names.length === 1) {
        const v = member(node, seg.names[0]!);
        if (v !== MISSING) out.push(v);
        return;
      }
      if (leaf) {
        // Jayway merges several properties of a leaf into one map
        const merged = new Map<string, unknown>();
        for (const name of seg.names) {
          const v = member(node, name);
          if (v !== MISSING) merged.set(name, v);
        }
        out.push(merged);
        return;
      }
      for (const name of seg.names) {
        const v = member(node, name);
        if (v !== MISSING) out.push(v);
      }
      return;
    }
    case 'indexes': {
      if (!isArray(node)) return;
      for (const i of seg.indexes) {
        const at = i < 0 ? node.length + i : i;
        if (at >= 0 && at < node.length) out.push(node[at]);
      }
      return;
    }
    case 'slice': {
      if (!isArray(node)) return;
      const n = node.length;
      let start = seg.start ?? 0;
      let end = seg.end ?? n;
      if (start < 0) start = Math.max(0, n + start);
      if (end < 0) end = n + end;
      end = Math.min(end, n);
      for (let i = start; i < end; i++) out.push(node[i]);
      return;
    }
    case 'wildcard':
      for (const child of children(node)) out.push(child);
      return;
    case 'filter': {
      if (isArray(node)) {
        for (const item of node) if (test(seg.test, item, root)) out.push(item);
      } else if (isObject(node) && test(seg.test, node, root)) out.push(node);
      return;
    }
    case 'scan': {
      const visit = (n: unknown, depth: number): void => {
        if (depth > 256) return;
        if (isObject(n) || isArray(n)) {
          apply(seg.inner, n, out, root, leaf);
          for (const child of children(n)) visit(child, depth + 1);
        }
      };
      visit(node, 0);
      return;
    }
  }
}

function select(segments: readonly Segment[], start: unknown, root: unknown): unknown[] {
  let current: unknown[] = [start];
  for (let i = 0; i < segments.length; i++) {
    const next: unknown[] = [];
    const leaf = i === segments.length - 1;
    for (const node of current) apply(segments[i]!, node, next, root, leaf);
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

function operandValue(op: Operand, current: unknown, root: unknown): Found | typeof MISSING {
  if (op.kind === 'value') return op.value;
  if (op.kind === 'regex') return op.pattern;
  const found = select(op.segments, op.relative ? current : root, root);
  const definite = op.segments.every(isDefiniteSegment);
  if (definite) return found.length === 0 ? MISSING : found[0];
  return found;
}

function sizeOf(v: unknown): number | null {
  if (typeof v === 'string') return v.length;
  if (isArray(v)) return v.length;
  return null;
}

function valueEquals(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
  if (isArray(a) && isArray(b)) return a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  if (a == null || b == null) return a == null && b == null;
  return javaEquals(a, b);
}

function test(expr: FilterExpr, current: unknown, root: unknown): boolean {
  switch (expr.kind) {
    case 'and':
      return test(expr.left, current, root) && test(expr.right, current, root);
    case 'or':
      return test(expr.left, current, root) || test(expr.right, current, root);
    case 'not':
      return !test(expr.inner, current, root);
    case 'exists':
      return operandValue(expr.operand, current, root) !== MISSING;
    case 'compare': {
      const l = operandValue(expr.left, current, root);
      const r = operandValue(expr.right, current, root);
      if (l === MISSING || r === MISSING) return false;
      switch (expr.op) {
        case '==':
          return valueEquals(l, r);
        case '!=':
          return !valueEquals(l, r);
        case '<':
        case '<=':
        case '>':
        case '>=': {
          let c: number;
          if (isNumber(l) && isNumber(r)) c = compareNumbers(l, r);
          else if (typeof l === 'string' && typeof r === 'string') c = l < r ? -1 : l > r ? 1 : 0;
          else return false;
          return expr.op === '<' ? c < 0 : expr.op === '<=' ? c <= 0 : expr.op === '>' ? c > 0 : c >= 0;
        }
        case '=~':
          if (typeof l !== 'string' || typeof r !== 'string') return false;
          try {
            return javaMatches(l, r);
          } catch {
            return false;
          }
        case 'in':
          return isArray(r) && r.some((x) => valueEquals(l, x));
        case 'nin':
          return isArray(r) && !r.some((x) => valueEquals(l, x));
        case 'contains':
          if (typeof l === 'string' && typeof r === 'string') return l.includes(r);
          return isArray(l) && l.some((x) => valueEquals(x, r));
        case 'subsetof':
          return isArray(l) && isArray(r) && l.every((x) => r.some((y) => valueEquals(x, y)));
        case 'anyof':
          return isArray(l) && isArray(r) && l.some((x) => r.some((y) => valueEquals(x, y)));
        case 'noneof':
          return isArray(l) && isArray(r) && !l.some((x) => r.some((y) => valueEquals(x, y)));
        case 'size': {
          const n = sizeOf(l);
          return n !== null && isNumber(r) && n === numberValue(r as number | JavaDouble);
        }
        case 'empty': {
          const n = sizeOf(l);
          return n !== null && typeof r === 'boolean' && (n === 0) === r;
        }
        default:
          return false;
      }
    }
  }
}

/**
 * Evaluates a compiled path. `found` is false when a definite path matches nothing; an indefinite
 * path always yields a list (a JsonArray, as Jayway's json-smart provider builds).
 */
export function queryJsonPath(document: unknown, path: CompiledJsonPath): { found: boolean; value: unknown } {
  const matches = select(path.segments, document, document);
  if (path.definite) return matches.length === 0 ? { found: false, value: undefined } : { found: true, value: matches[0] };
  const list = new JsonArray();
  for (const m of matches) list.push(m);
  return { found: true, value: list };
}

/**
 * Convenience for parameter mapping on plain JSON (JSON.parse output): the value at `path`, a plain
 * array for indefinite paths, undefined when nothing matches or the path is invalid.
 */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  let compiled: CompiledJsonPath;
  try {
    compiled = compileJsonPath(path);
  } catch {
    return undefined;
  }
  const result = queryJsonPath(document, compiled);
  if (!result.found) return undefined;
  return compiled.definite ? result.value : Array.from(result.value as unknown[]);
}
