/**
 * The only ways a template reaches into a value: one method table per Java class (String, Integer/
 * Long/Double, Boolean, ArrayList/JSONArray/arrays, Map, Map.Entry, $foreach) plus the explicit
 * methods of host objects, and Velocity 1.7's property rules (UberspectImpl.getPropertyGet: getFoo(),
 * then Map.get("foo"), then isFoo(); getPropertySet: Map.put). Nothing here reads a JavaScript
 * property by a template-supplied name except own data of maps, so prototypes, constructors and
 * functions stay out of reach.
 */
import { JavaException } from './errors.js';
import {
  ForeachScope,
  HostObject,
  isInt,
  isNumber,
  JavaDouble,
  kindOf,
  K_ARRAY,
  K_BOOLEAN,
  K_DOUBLE,
  K_ENTRY,
  K_HOST,
  K_INT,
  K_JSON_LIST,
  K_LIST,
  K_MAP,
  K_NULL,
  K_OBJECT,
  K_RENDERABLE,
  K_SCOPE,
  K_STRING,
  mapGet,
  mapPut,
  mapValues,
  MapEntry,
  NO_METHOD,
  numberValue,
  RenderableValue,
  type MethodResult,
} from './values.js';
import { BOOLEAN_METHODS, NUMBER_METHODS, STRING_METHODS, toJavaInt } from './java-lang.js';
import { ENTRY_METHODS, LIST_METHODS, MAP_METHODS, SCOPE_METHODS, scopeStorage } from './java-util.js';

export { MAX_STRING_LENGTH } from './java-lang.js';

// ---------------------------------------------------------------------------------------------
// Dispatch

/** Calls `name(args)` on `target` as Velocity's introspection would; NO_METHOD when no such public method accepts the arguments. */
export function invokeMethod(target: unknown, name: string, args: readonly unknown[]): MethodResult {
  switch (kindOf(target)) {
    case K_STRING: {
      const m = STRING_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as string, args);
    }
    case K_INT:
    case K_DOUBLE: {
      const m = NUMBER_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as number | JavaDouble, args);
    }
    case K_BOOLEAN: {
      const m = BOOLEAN_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as boolean, args);
    }
    case K_LIST:
    case K_JSON_LIST:
    case K_ARRAY: {
      const m = LIST_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as unknown[], args);
    }
    case K_MAP:
    case K_OBJECT: {
      const m = MAP_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as object, args);
    }
    case K_ENTRY: {
      const m = ENTRY_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as MapEntry, args);
    }
    case K_SCOPE: {
      const m = SCOPE_METHODS.get(name);
      return m === undefined ? NO_METHOD : m(target as ForeachScope, args);
    }
    case K_HOST:
      return (target as HostObject).invoke(name, args);
    case K_RENDERABLE:
      return name === 'toString' && args.length === 0 ? (target as RenderableValue).asString() : NO_METHOD;
    default:
      return NO_METHOD;
  }
}

function flipFirst(name: string): string {
  const c = name.charAt(0);
  const lower = c.toLowerCase();
  return (c === lower ? c.toUpperCase() : lower) + name.slice(1);
}

/** `$x.name`: getName()/getname(), then Map.get("name"), then isName() (UberspectImpl.getPropertyGet). */
export function getProperty(target: unknown, name: string): unknown {
  const k = kindOf(target);
  if (k === K_MAP || k === K_OBJECT) {
    // the only zero-argument getter of a HashMap is getClass(), which stays out of reach
    return name === 'class' || name === 'Class' ? null : mapGet(target, name);
  }
  if (k === K_NULL) return null;
  const flipped = flipFirst(name);
  let r = invokeMethod(target, 'get' + name, []);
  if (r === NO_METHOD) r = invokeMethod(target, 'get' + flipped, []);
  if (r !== NO_METHOD) return r;
  if (k === K_SCOPE) return (target as ForeachScope).get(name);
  r = invokeMethod(target, 'is' + name, []);
  if (r === NO_METHOD) r = invokeMethod(target, 'is' + flipped, []);
  return typeof r === 'boolean' ? r : null;
}

/** `#set($x.name = value)`: setName(value) does not exist on our classes, so maps take put("name", value). */
export function setProperty(target: unknown, name: string, value: unknown): boolean {
  const k = kindOf(target);
  if (k === K_MAP || k === K_OBJECT) {
    mapPut(target, name, value);
    return true;
  }
  if (k === K_SCOPE) {
    mapPut(scopeStorage(target as ForeachScope), name, value);
    return true;
  }
  return false;
}

/** ASTIndex.adjMinusIndexArg: a negative Integer index counts from size(). */
function adjustIndex(target: unknown, index: unknown): unknown {
  if (!isInt(index) || index >= 0) return index;
  const size = invokeMethod(target, 'size', []);
  if (!isInt(size)) throw new JavaException('org.apache.velocity.exception.VelocityException', `A 'size()' method required for negative value ${index} does not exist`);
  return size + index;
}

/** `$x[index]`: get(index) on the target. */
export function indexGet(target: unknown, index: unknown): unknown {
  const r = invokeMethod(target, 'get', [adjustIndex(target, index)]);
  return r === NO_METHOD ? null : r;
}

/** `#set($x[index] = value)`: set(index, value), else put(index, value). */
export function indexSet(target: unknown, index: unknown, value: unknown): boolean {
  const i = adjustIndex(target, index);
  let r = invokeMethod(target, 'set', [i, value]);
  if (r === NO_METHOD) r = invokeMethod(target, 'put', [i, value]);
  return r !== NO_METHOD;
}

/** What #foreach iterates (UberspectImpl.getIterator): lists and arrays, a map's values; null for anything else. */
export function iterationItems(v: unknown): readonly unknown[] | null {
  switch (kindOf(v)) {
    case K_LIST:
    case K_JSON_LIST:
    case K_ARRAY:
      return v as unknown[];
    case K_MAP:
    case K_OBJECT:
      return mapValues(v);
    case K_SCOPE:
      return mapValues(scopeStorage(v as ForeachScope));
    default:
      return null;
  }
}

/** Render helper shared with the evaluator: Integer keys of a list index, a Number for ranges. */
export function rangeBound(v: unknown): number | null {
  return isNumber(v) ? toJavaInt(numberValue(v), 32) : null;
}
