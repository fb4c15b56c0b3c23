/**
 * The Java value model behind VTL: which JavaScript value stands for which Java class, and how
 * Velocity 1.7 renders (toString), compares (ASTEQNode, MathUtils.compare), tests (ASTReference.evaluate)
 * and computes (MathUtils) with them.
 *
 *   null/undefined -> null            string -> String           boolean -> Boolean
 *   integral number -> Integer/Long   JavaDouble or non-integral number -> Double
 *   Array -> ArrayList ("[a, b]")     JsonArray -> json-smart JSONArray (renders as JSON)
 *   JavaArray -> Object[] (renders "[Ljava.lang.String;@...")
 *   Map and plain objects -> LinkedHashMap ("{k=v, k2=v2}")   MapEntry -> Map.Entry ("k=v")
 *   ForeachScope -> $foreach          HostObject -> $input / $util    RenderableValue -> #define blocks
 * Anything else is opaque: it has no methods and no properties, so a template cannot reach into it.
 */

/** A java.lang.Double. Non-integral JS numbers are doubles already; this wrapper keeps `1.0` a double. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** A json-smart JSONArray (what API Gateway's JSONPath and parseJson return for arrays): an ArrayList whose toString is JSON. */
export class JsonArray extends Array<unknown> {}

/** A Java array (String[] from String.split). Velocity 1.7 renders arrays with Object.toString. */
export class JavaArray extends Array<unknown> {}

/** A Map.Entry from entrySet(); setValue writes through to its map. */
export class MapEntry {
  constructor(
    readonly owner: unknown,
    readonly key: unknown,
    public value: unknown,
  ) {}
}

/** Velocity 1.7 ForeachScope (`$foreach`): index/count/hasNext/first/last/parent/topmost, plus Map storage. */
export class ForeachScope {
  index = -1;
  hasNext = false;
  storage: Map<unknown, unknown> | null = null;
  readonly parent: ForeachScope | null;
  private readonly replaced: unknown;

  constructor(
    readonly owner: object,
    previous: unknown,
  ) {
    this.parent = previous instanceof ForeachScope ? previous : null;
    this.replaced = previous instanceof ForeachScope || previous == null ? null : previous;
  }

  getReplaced(): unknown {
    if (this.replaced == null && this.parent !== null) return this.parent.getReplaced();
    return this.replaced;
  }

  topmost(): ForeachScope {
    return this.parent === null ? this : this.parent.topmost();
  }

  get(key: unknown): unknown {
    const own = this.storage?.get(key);
    if (own == null && this.parent !== null && !(this.storage?.has(key) ?? false)) return this.parent.get(key);
    return own;
  }
}

/** Returned by a method table when no method of that name accepts the arguments (Velocity then yields null). */
export const NO_METHOD: unique symbol = Symbol('vtl.noMethod');
export type MethodResult = unknown;

/** A host method; `state` is the per-render state of the object it is called on. */
export type HostMethod<S = unknown> = (args: readonly unknown[], state: S) => MethodResult;

/**
 * An object the gateway provides ($input, $util): only the methods listed here can be called.
 * The method table is built once and shared; each instance carries only its own state.
 */
export class HostObject<S = unknown> {
  constructor(
    readonly className: string,
    private readonly methods: ReadonlyMap<string, HostMethod<S>>,
    private readonly state: S,
  ) {}

  invoke(name: string, args: readonly unknown[]): MethodResult {
    const method = this.methods.get(name);
    return method === undefined ? NO_METHOD : method(args, this.state);
  }
}

/** A value that renders itself (Velocity's Renderable: #define blocks, macro body content). */
export abstract class RenderableValue {
  /** toString(): the rendered text, or null when rendering is refused (recursion limit). */
  abstract asString(): string | null;
}

// ---------------------------------------------------------------------------------------------
// Classification

export const K_NULL = 0;
export const K_STRING = 1;
export const K_BOOLEAN = 2;
export const K_INT = 3;
export const K_DOUBLE = 4;
export const K_LIST = 5;
export const K_JSON_LIST = 6;
export const K_ARRAY = 7;
export const K_MAP = 8;
export const K_OBJECT = 9;
export const K_ENTRY = 10;
export const K_SCOPE = 11;
export const K_HOST = 12;
export const K_RENDERABLE = 13;
export const K_OPAQUE = 14;
export type Kind = number;

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return K_NULL;
  switch (typeof v) {
    case 'string':
      return K_STRING;
    case 'number':
      return Number.isInteger(v) ? K_INT : K_DOUBLE;
    case 'boolean':
      return K_BOOLEAN;
    case 'object':
      break;
    default:
      return K_OPAQUE;
  }
  if (Array.isArray(v)) return v instanceof JsonArray ? K_JSON_LIST : v instanceof JavaArray ? K_ARRAY : K_LIST;
  if (v instanceof Map) return K_MAP;
  if (v instanceof JavaDouble) return K_DOUBLE;
  if (v instanceof MapEntry) return K_ENTRY;
  if (v instanceof ForeachScope) return K_SCOPE;
  if (v instanceof HostObject) return K_HOST;
  if (v instanceof RenderableValue) return K_RENDERABLE;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return K_OBJECT;
  return K_OPAQUE;
}

export function isList(k: Kind): boolean {
  return k === K_LIST || k === K_JSON_LIST || k === K_ARRAY;
}

export function isMapKind(k: Kind): boolean {
  return k === K_MAP || k === K_OBJECT;
}

// ---------------------------------------------------------------------------------------------
// Numbers (org.apache.velocity.runtime.parser.node.MathUtils)

export function isNumber(v: unknown): v is number | JavaDouble {
  return typeof v === 'number' || v instanceof JavaDouble;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function numberValue(v: number | JavaDouble): number {
  return typeof v === 'number' ? v : v.value;
}

/** A double result: integral values need the wrapper so that they still render as `3.0`. */
export function makeDouble(n: number): number | JavaDouble {
  return Number.isInteger(n) ? new JavaDouble(n) : n;
}

function isDoubleValue(v: number | JavaDouble): boolean {
  return typeof v !== 'number' || !Number.isInteger(v);
}

export type MathOp = '+' | '-' | '*' | '/' | '%';

/** MathUtils: integer arithmetic when both sides are integers (Java truncating division), else double. Division or modulo by zero is null. */
export function arithmetic(op: MathOp, left: number | JavaDouble, right: number | JavaDouble): number | JavaDouble | null {
  const l = numberValue(left);
  const r = numberValue(right);
  const integral = !isDoubleValue(left) && !isDoubleValue(right);
  switch (op) {
    case '+':
      return integral ? l + r : makeDouble(l + r);
    case '-':
      return integral ? l - r : makeDouble(l - r);
    case '*':
      return integral ? l * r + 0 : makeDouble(l * r);
    case '/':
      if (r === 0) return null;
      return integral ? Math.trunc(l / r) + 0 : makeDouble(l / r);
    case '%':
      if (r === 0) return null;
      return integral ? (l % r) + 0 : makeDouble(l % r);
  }
}

/** MathUtils.compare: -1, 0 or 1 (NaN compares as 0, as in 1.7). */
export function compareNumbers(left: number | JavaDouble, right: number | JavaDouble): number {
  const l = numberValue(left);
  const r = numberValue(right);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Integer.toString / Long.toString. */
export function intToString(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < 1e21) return String(n);
  return BigInt(n).toString();
}

/** Double.toString: `1.0`, `3.5`, `1.0E10`, `1.0E-5`, `NaN`, `Infinity`. */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  const exp = d.toExponential();
  const at = exp.indexOf('e');
  let mantissa = exp.slice(0, at);
  if (!mantissa.includes('.')) mantissa += '.0';
  const power = exp.slice(at + 1);
  return mantissa + 'E' + (power.startsWith('+') ? power.slice(1) : power);
}

// ---------------------------------------------------------------------------------------------
// Maps: LinkedHashMap semantics over JS Map and plain objects

const hasOwn = Object.prototype.hasOwnProperty;

export function mapGet(m: unknown, key: unknown): unknown {
  if (m instanceof Map) return m.get(normalizeKey(key));
  if (typeof key !== 'string') return undefined;
  const o = m as Record<string, unknown>;
  return hasOwn.call(o, key) ? o[key] : undefined;
}

export function mapHas(m: unknown, key: unknown): boolean {
  if (m instanceof Map) return m.has(normalizeKey(key));
  return typeof key === 'string' && hasOwn.call(m, key);
}

/** Map.put: returns the previous value. Plain objects only take String keys; others are stored under their string form. */
export function mapPut(m: unknown, key: unknown, value: unknown): unknown {
  if (m instanceof Map) {
    const k = normalizeKey(key);
    const previous: unknown = m.get(k);
    m.set(k, value);
    return previous;
  }
  const k = typeof key === 'string' ? key : javaToString(key);
  const o = m as Record<string, unknown>;
  const previous = hasOwn.call(o, k) ? o[k] : undefined;
  try {
    if (k === '__proto__') Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
    else o[k] = value;
  } catch {
    // a frozen host object: Java would throw UnsupportedOperationException; the value simply stays
  }
  return previous;
}

export function mapRemove(m: unknown, key: unknown): unknown {
  if (m instanceof Map) {
    const k = normalizeKey(key);
    const previous: unknown = m.get(k);
    m.delete(k);
    return previous;
  }
  if (typeof key !== 'string' || !hasOwn.call(m, key)) return undefined;
  const o = m as Record<string, unknown>;
  const previous = o[key];
  try {
    delete o[key];
  } catch {
    // frozen
  }
  return previous;
}

export function mapSize(m: unknown): number {
  return m instanceof Map ? m.size : Object.keys(m as object).length;
}

export function mapKeys(m: unknown): unknown[] {
  return m instanceof Map ? Array.from(m.keys()) : Object.keys(m as object);
}

export function mapValues(m: unknown): unknown[] {
  return m instanceof Map ? Array.from(m.values()) : Object.values(m as object);
}

export function mapEntries(m: unknown): Array<[unknown, unknown]> {
  return m instanceof Map ? Array.from(m.entries()) : Object.entries(m as object);
}

export function mapClear(m: unknown): void {
  if (m instanceof Map) m.clear();
  else for (const k of Object.keys(m as object)) mapRemove(m, k);
}

/** Map keys compare by Java equals: doubles by value, so unwrap JavaDouble keys. */
function normalizeKey(key: unknown): unknown {
  return key instanceof JavaDouble ? key.value : key === undefined ? null : key;
}

// ---------------------------------------------------------------------------------------------
// toString

const arrayIds = new WeakMap<object, number>();
let nextArrayId = 0x1b6d3586;

function identityHash(o: object): string {
  let id = arrayIds.get(o);
  if (id === undefined) {
    id = nextArrayId;
    nextArrayId = (nextArrayId + 0x9e3779b1) >>> 0;
    arrayIds.set(o, id);
  }
  return id.toString(16);
}

const MAX_DEPTH = 200;

/** String.valueOf(v) as Java would produce it; null renders as "null" (callers handle top-level nulls). */
export function javaToString(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply to render');
  switch (kindOf(v)) {
    case K_NULL:
      return 'null';
    case K_STRING:
      return v as string;
    case K_BOOLEAN:
      return v ? 'true' : 'false';
    case K_INT:
      return intToString(v as number);
    case K_DOUBLE:
      return javaDoubleToString(numberValue(v as number | JavaDouble));
    case K_LIST: {
      const list = v as unknown[];
      let s = '[';
      for (let i = 0; i < list.length; i++) {
        if (i > 0) s += ', ';
        const item = list[i];
        s += item === list ? '(this Collection)' : javaToString(item, depth + 1);
      }
      return s + ']';
    }
    case K_JSON_LIST:
      return toJsonText(v, depth);
    case K_ARRAY:
      return '[Ljava.lang.String;@' + identityHash(v as object);
    case K_MAP:
    case K_OBJECT: {
      let s = '{';
      let first = true;
      for (const [k, value] of mapEntries(v)) {
        if (!first) s += ', ';
        first = false;
        s += (k === v ? '(this Map)' : javaToString(k, depth + 1)) + '=' + (value === v ? '(this Map)' : javaToString(value, depth + 1));
      }
      return s + '}';
    }
    case K_ENTRY: {
      const e = v as MapEntry;
      return javaToString(e.key, depth + 1) + '=' + javaToString(e.value, depth + 1);
    }
    case K_SCOPE: {
      const storage = (v as ForeachScope).storage;
      return storage === null ? '{}' : javaToString(storage, depth + 1);
    }
    case K_HOST:
      return (v as HostObject).className + '@' + identityHash(v as object);
    case K_RENDERABLE:
      return (v as RenderableValue).asString() ?? 'null';
    default:
      return typeof v === 'function' ? 'function' : Object.prototype.toString.call(v);
  }
}

/** JSON as json-smart writes it (compact; doubles in Java form such as `1.0`). */
export function toJsonText(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply to serialise');
  const k = kindOf(v);
  switch (k) {
    case K_NULL:
      return 'null';
    case K_STRING:
      return jsonQuote(v as string);
    case K_BOOLEAN:
      return v ? 'true' : 'false';
    case K_INT:
      return intToString(v as number);
    case K_DOUBLE: {
      const d = numberValue(v as number | JavaDouble);
      return Number.isFinite(d) ? javaDoubleToString(d) : 'null';
    }
    case K_LIST:
    case K_JSON_LIST:
    case K_ARRAY: {
      const list = v as unknown[];
      let s = '[';
      for (let i = 0; i < list.length; i++) {
        if (i > 0) s += ',';
        s += toJsonText(list[i], depth + 1);
      }
      return s + ']';
    }
    case K_MAP:
    case K_OBJECT:
    case K_SCOPE: {
      const m = k === K_SCOPE ? ((v as ForeachScope).storage ?? new Map()) : v;
      let s = '{';
      let first = true;
      for (const [key, value] of mapEntries(m)) {
        if (!first) s += ',';
        first = false;
        s += jsonQuote(javaToString(key, depth + 1)) + ':' + toJsonText(value, depth + 1);
      }
      return s + '}';
    }
    default:
      return jsonQuote(javaToString(v, depth + 1));
  }
}

export function jsonQuote(s: string): string {
  let out = '"';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c < 0x20) {
      rep = c === 10 ? '\\n' : c === 13 ? '\\r' : c === 9 ? '\\t' : c === 8 ? '\\b' : c === 12 ? '\\f' : '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    }
    if (rep !== null) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return out + s.slice(last) + '"';
}

// ---------------------------------------------------------------------------------------------
// Equality and truth

function classGroup(k: Kind): number {
  if (k === K_JSON_LIST) return K_LIST;
  if (k === K_OBJECT) return K_MAP;
  return k;
}

/** Object.equals as the Java classes define it. */
export function javaEquals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === K_NULL || kb === K_NULL) return ka === kb;
  if (depth > MAX_DEPTH) return false;
  if (ka === K_INT || ka === K_DOUBLE) {
    if (ka !== kb) return false;
    const x = numberValue(a as number | JavaDouble);
    const y = numberValue(b as number | JavaDouble);
    return ka === K_INT ? x === y : Object.is(x, y);
  }
  const ga = classGroup(ka);
  if (ga !== classGroup(kb)) return false;
  if (ga === K_LIST && ka !== K_ARRAY && kb !== K_ARRAY) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!javaEquals(x[i], y[i], depth + 1)) return false;
    return true;
  }
  if (ga === K_MAP) {
    if (mapSize(a) !== mapSize(b)) return false;
    for (const [key, value] of mapEntries(a)) {
      if (!mapHas(b, key) || !javaEquals(value, mapGet(b, key), depth + 1)) return false;
    }
    return true;
  }
  if (ga === K_ENTRY) {
    const x = a as MapEntry;
    const y = b as MapEntry;
    return javaEquals(x.key, y.key, depth + 1) && javaEquals(x.value, y.value, depth + 1);
  }
  return false;
}

function sameClass(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === K_OPAQUE || kb === K_OPAQUE) return Object.getPrototypeOf(a) === Object.getPrototypeOf(b);
  if (ka === K_HOST || kb === K_HOST) return a === b;
  return classGroup(ka) === classGroup(kb);
}

/** ASTEQNode: numbers by value, same classes by equals(), otherwise by their toString() forms. */
export function velocityEquals(left: unknown, right: unknown): boolean {
  if (isNumber(left) && isNumber(right)) return compareNumbers(left, right) === 0;
  if (left != null && right != null && sameClass(left, right)) return javaEquals(left, right);
  const l = left == null ? null : toStringOrNull(left);
  const r = right == null ? null : toStringOrNull(right);
  return l === r;
}

function toStringOrNull(v: unknown): string | null {
  if (v instanceof RenderableValue) return v.asString();
  return javaToString(v);
}

/** ASTReference.evaluate: null and false are false; anything else whose toString() is not null is true. */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (v instanceof RenderableValue) return v.asString() !== null;
  return true;
}
