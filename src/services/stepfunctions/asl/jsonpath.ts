/**
 * JSONPath as the States Language uses it: Paths (`$.a.b`, `$['a']`, `$.a[0]`, `$.a[*].b`, `$..b`,
 * slices, unions, `[?(@.x > 1)]` filters), the context object root `$$`, workflow variables `$name`,
 * and Reference Paths (names and indices only) for ResultPath.
 * AWS docs: Amazon States Language specification, "Paths" and "Reference Paths"; Step Functions
 * developer guide, "Using JSONPath paths" and "Passing data between states with variables".
 */

export class PathSyntaxError extends Error {}

export type Root = { kind: 'input' } | { kind: 'context' } | { kind: 'variable'; name: string };

type Key = string | number;
type Segment =
  | { t: 'name'; name: string }
  | { t: 'index'; index: number }
  | { t: 'wildcard' }
  | { t: 'union'; keys: Key[] }
  | { t: 'slice'; start: number | undefined; end: number | undefined; step: number }
  | { t: 'filter'; expr: Expr }
  | { t: 'descend'; inner: Segment };

type Expr =
  | { e: 'literal'; value: unknown }
  | { e: 'path'; relative: boolean; path: CompiledPath }
  | { e: 'not'; operand: Expr }
  | { e: 'binary'; op: string; left: Expr; right: Expr }
  | { e: 'regex'; left: Expr; regex: RegExp };

export interface CompiledPath {
  text: string;
  root: Root;
  segments: Segment[];
  /** A definite path selects at most one node; others select a list of nodes. */
  definite: boolean;
  /** Only names and indices: usable as a ResultPath. */
  reference: boolean;
}

export interface PathRoots {
  input: unknown;
  context?: unknown;
  variables?: (name: string) => { found: boolean; value?: unknown };
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

const cache = new Map<string, CompiledPath>();

/** Compiles (once per distinct text) a path starting with `$`, `$$` or `$name`. */
export function compilePath(text: string): CompiledPath {
  let compiled = cache.get(text);
  if (compiled === undefined) {
    compiled = new Parser(text).path();
    if (cache.size > 10_000) cache.clear();
    cache.set(text, compiled);
  }
  return compiled;
}

/** True for strings that are paths by their shape: `$`, `$.x`, `$[0]`, `$$.x`, `$var`. */
export function looksLikePath(text: string): boolean {
  return /^\$(\$|[.[]|[A-Za-z_]|$)/.test(text);
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new PathSyntaxError(`Invalid JSONPath '${this.text}': ${message} at position ${this.pos}`);
  }

  path(): CompiledPath {
    const text = this.text;
    let root: Root;
    if (text.startsWith('$$')) {
      root = { kind: 'context' };
      this.pos = 2;
    } else if (text.startsWith('$') && text.length > 1 && IDENT_START.test(text[1]!)) {
      let end = 1;
      while (end < text.length && IDENT.test(text[end]!)) end++;
      root = { kind: 'variable', name: text.slice(1, end) };
      this.pos = end;
    } else if (text.startsWith('$')) {
      root = { kind: 'input' };
      this.pos = 1;
    } else {
      this.fail("a path must start with '$'");
    }
    const segments: Segment[] = [];
    while (this.pos < text.length) segments.push(this.segment());
    const simple = (s: Segment) => s.t === 'name' || s.t === 'index';
    const definite = segments.every(simple);
    return { text, root, segments, definite, reference: definite };
  }

  segment(): Segment {
    const c = this.text[this.pos];
    if (c === '.') {
      if (this.text[this.pos + 1] === '.') {
        this.pos += 2;
        if (this.text[this.pos] === '[') return { t: 'descend', inner: this.bracket() };
        return { t: 'descend', inner: this.dotted() };
      }
      this.pos++;
      return this.dotted();
    }
    if (c === '[') return this.bracket();
    return this.fail(`unexpected '${c ?? ''}'`);
  }

  dotted(): Segment {
    if (this.text[this.pos] === '*') {
      this.pos++;
      return { t: 'wildcard' };
    }
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== '.' && this.text[this.pos] !== '[') this.pos++;
    if (this.pos === start) this.fail('empty name');
    return { t: 'name', name: this.text.slice(start, this.pos) };
  }

  spaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  expect(c: string): void {
    this.spaces();
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  quoted(): string {
    const quote = this.text[this.pos]!;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.text[this.pos++];
    }
    if (this.text[this.pos] !== quote) this.fail('unterminated string');
    this.pos++;
    return out;
  }

  integer(): number | undefined {
    this.spaces();
    const match = /^-?\d+/.exec(this.text.slice(this.pos));
    if (match === null) return undefined;
    this.pos += match[0].length;
    return Number(match[0]);
  }

  bracket(): Segment {
    this.pos++; // '['
    this.spaces();
    const c = this.text[this.pos];
    if (c === '*') {
      this.pos++;
      this.expect(']');
      return { t: 'wildcard' };
    }
    if (c === '?') {
      this.pos++;
      this.expect('(');
      const expr = this.orExpr();
      this.expect(')');
      this.expect(']');
      return { t: 'filter', expr };
    }
    if (c === "'" || c === '"') {
      const keys: Key[] = [this.quoted()];
      this.spaces();
      while (this.text[this.pos] === ',') {
        this.pos++;
        this.spaces();
        const q = this.text[this.pos];
        if (q !== "'" && q !== '"') this.fail('expected a quoted name');
        keys.push(this.quoted());
        this.spaces();
      }
      this.expect(']');
      return keys.length === 1 ? { t: 'name', name: keys[0] as string } : { t: 'union', keys };
    }
    const first = this.integer();
    this.spaces();
    if (this.text[this.pos] === ':') {
      this.pos++;
      const end = this.integer();
      let step = 1;
      this.spaces();
      if (this.text[this.pos] === ':') {
        this.pos++;
        step = this.integer() ?? 1;
      }
      this.expect(']');
      if (step === 0) this.fail('slice step 0');
      return { t: 'slice', start: first, end, step };
    }
    if (first === undefined) this.fail('expected an index, a name, * or a filter');
    const keys: Key[] = [first];
    this.spaces();
    while (this.text[this.pos] === ',') {
      this.pos++;
      const next = this.integer();
      if (next === undefined) this.fail('expected an index');
      keys.push(next);
      this.spaces();
    }
    this.expect(']');
    return keys.length === 1 ? { t: 'index', index: first } : { t: 'union', keys };
  }

  // Filter expressions: || over && over comparisons over unary terms.
  orExpr(): Expr {
    let left = this.andExpr();
    for (this.spaces(); this.text.startsWith('||', this.pos); this.spaces()) {
      this.pos += 2;
      left = { e: 'binary', op: '||', left, right: this.andExpr() };
    }
    return left;
  }

  andExpr(): Expr {
    let left = this.comparison();
    for (this.spaces(); this.text.startsWith('&&', this.pos); this.spaces()) {
      this.pos += 2;
      left = { e: 'binary', op: '&&', left, right: this.comparison() };
    }
    return left;
  }

  comparison(): Expr {
    const left = this.unary();
    this.spaces();
    if (this.text.startsWith('=~', this.pos)) {
      this.pos += 2;
      this.spaces();
      const match = /^\/((?:\\.|[^/])*)\/([a-z]*)/.exec(this.text.slice(this.pos));
      if (match === null) this.fail('expected a /regex/');
      this.pos += match[0].length;
      return { e: 'regex', left, regex: new RegExp(match[1]!, match[2]) };
    }
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { e: 'binary', op, left, right: this.unary() };
      }
    }
    return left;
  }

  unary(): Expr {
    this.spaces();
    const c = this.text[this.pos];
    if (c === '!') {
      this.pos++;
      return { e: 'not', operand: this.unary() };
    }
    if (c === '(') {
      this.pos++;
      const inner = this.orExpr();
      this.expect(')');
      return inner;
    }
    if (c === "'" || c === '"') return { e: 'literal', value: this.quoted() };
    if (c === '@' || c === '$') {
      const start = this.pos;
      this.pos++;
      // The relative path runs until an operator, a space or the closing parenthesis.
      while (this.pos < this.text.length && !/[\s)=!<>&|]/.test(this.text[this.pos]!)) {
        if (this.text[this.pos] === '[') {
          let depth = 0;
          do {
            if (this.text[this.pos] === '[') depth++;
            if (this.text[this.pos] === ']') depth--;
            this.pos++;
          } while (depth > 0 && this.pos < this.text.length);
        } else this.pos++;
      }
      const raw = this.text.slice(start, this.pos);
      return { e: 'path', relative: c === '@', path: compilePath(c === '@' ? '$' + raw.slice(1) : raw) };
    }
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos));
    if (literal === null) this.fail('expected a value in the filter');
    this.pos += literal[0].length;
    return { e: 'literal', value: JSON.parse(literal[0]) };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function step(nodes: unknown[], segment: Segment, roots: PathRoots): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    switch (segment.t) {
      case 'name':
        if (isObject(node) && own(node, segment.name)) out.push(node[segment.name]);
        break;
      case 'index':
        if (Array.isArray(node)) {
          const i = segment.index < 0 ? node.length + segment.index : segment.index;
          if (i >= 0 && i < node.length) out.push(node[i]);
        }
        break;
      case 'wildcard':
        if (Array.isArray(node)) out.push(...node);
        else if (isObject(node)) out.push(...Object.values(node));
        break;
      case 'union':
        for (const key of segment.keys) out.push(...step([node], typeof key === 'number' ? { t: 'index', index: key } : { t: 'name', name: key }, roots));
        break;
      case 'slice':
        if (Array.isArray(node)) {
          const n = node.length;
          const norm = (v: number) => (v < 0 ? Math.max(0, n + v) : Math.min(n, v));
          if (segment.step > 0) {
            for (let i = norm(segment.start ?? 0); i < norm(segment.end ?? n); i += segment.step) out.push(node[i]);
          } else {
            const start = segment.start === undefined ? n - 1 : Math.min(n - 1, segment.start < 0 ? n + segment.start : segment.start);
            const end = segment.end === undefined ? -1 : segment.end < 0 ? n + segment.end : segment.end;
            for (let i = start; i > end; i += segment.step) out.push(node[i]);
          }
        }
        break;
      case 'filter':
        if (Array.isArray(node)) {
          for (const item of node) if (truthy(evalExpr(segment.expr, item, roots))) out.push(item);
        } else if (isObject(node)) {
          for (const item of Object.values(node)) if (truthy(evalExpr(segment.expr, item, roots))) out.push(item);
        }
        break;
      case 'descend': {
        const all: unknown[] = [];
        const walk = (v: unknown) => {
          all.push(v);
          if (Array.isArray(v)) v.forEach(walk);
          else if (isObject(v)) Object.values(v).forEach(walk);
        };
        walk(node);
        out.push(...step(all, segment.inner, roots));
        break;
      }
    }
  }
  return out;
}

const MISSING = Symbol('missing');

function truthy(v: unknown): boolean {
  return v !== MISSING && v !== false && v !== null && v !== undefined;
}

function evalExpr(expr: Expr, current: unknown, roots: PathRoots): unknown {
  switch (expr.e) {
    case 'literal':
      return expr.value;
    case 'path': {
      const result = evaluatePath(expr.path, expr.relative ? { ...roots, input: current } : roots);
      return result.found ? result.value : MISSING;
    }
    case 'not':
      return !truthy(evalExpr(expr.operand, current, roots));
    case 'regex': {
      const v = evalExpr(expr.left, current, roots);
      return typeof v === 'string' && expr.regex.test(v);
    }
    case 'binary': {
      if (expr.op === '&&') return truthy(evalExpr(expr.left, current, roots)) && truthy(evalExpr(expr.right, current, roots));
      if (expr.op === '||') return truthy(evalExpr(expr.left, current, roots)) || truthy(evalExpr(expr.right, current, roots));
      const a = evalExpr(expr.left, current, roots);
      const b = evalExpr(expr.right, current, roots);
      if (a === MISSING || b === MISSING) return false;
      switch (expr.op) {
        case '==':
          return deepEqual(a, b);
        case '!=':
          return !deepEqual(a, b);
      }
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      switch (expr.op) {
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        default:
          return a >= b;
      }
    }
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => own(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Definite paths: `found` false when nothing matches. Indefinite paths: the list of matches (found). */
export function evaluatePath(path: CompiledPath, roots: PathRoots): { found: boolean; value: unknown } {
  let start: unknown;
  if (path.root.kind === 'input') start = roots.input;
  else if (path.root.kind === 'context') start = roots.context;
  else {
    const variable = roots.variables?.(path.root.name);
    if (variable === undefined || !variable.found) return { found: false, value: undefined };
    start = variable.value;
  }
  let nodes = [start];
  for (const segment of path.segments) {
    nodes = step(nodes, segment, roots);
    if (nodes.length === 0 && path.definite) return { found: false, value: undefined };
  }
  if (path.definite) return { found: nodes.length > 0, value: nodes[0] };
  return { found: true, value: nodes };
}

/**
 * Writes `value` at a Reference Path inside a copy of `target` (ResultPath): missing objects on the
 * way are created; a step into a non-object fails (the caller reports States.ResultPathMatchFailure).
 */
export function setAtPath(target: unknown, path: CompiledPath, value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (!path.reference || path.root.kind !== 'input') return { ok: false };
  if (path.segments.length === 0) return { ok: true, value };
  const write = (node: unknown, index: number): { ok: true; value: unknown } | { ok: false } => {
    const segment = path.segments[index] as { t: 'name'; name: string } | { t: 'index'; index: number };
    const last = index === path.segments.length - 1;
    if (segment.t === 'name') {
      if (node !== undefined && !isObject(node)) return { ok: false };
      const copy: Record<string, unknown> = { ...(node as Record<string, unknown> | undefined) };
      if (last) copy[segment.name] = value;
      else {
        const inner = write(own(copy, segment.name) ? copy[segment.name] : undefined, index + 1);
        if (!inner.ok) return inner;
        copy[segment.name] = inner.value;
      }
      return { ok: true, value: copy };
    }
    if (!Array.isArray(node)) return { ok: false };
    const i = segment.index < 0 ? node.length + segment.index : segment.index;
    if (i < 0 || i >= node.length) return { ok: false };
    const copy = [...node];
    if (last) copy[i] = value;
    else {
      const inner = write(copy[i], index + 1);
      if (!inner.ok) return inner;
      copy[i] = inner.value;
    }
    return { ok: true, value: copy };
  };
  return write(target, 0);
}
