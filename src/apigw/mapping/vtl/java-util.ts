/** Method tables of java.util.ArrayList (and JSONArray, arrays), Map, Map.Entry and Velocity's $foreach scope. */
import { JavaException } from './errors.js';
import {
  ForeachScope,
  isInt,
  JavaArray,
  javaEquals,
  javaToString,
  kindOf,
  K_ARRAY,
  K_JSON_LIST,
  K_LIST,
  K_MAP,
  K_NULL,
  K_OBJECT,
  mapClear,
  mapEntries,
  mapGet,
  mapHas,
  mapKeys,
  mapPut,
  mapRemove,
  mapSize,
  mapValues,
  MapEntry,
  NO_METHOD,
} from './values.js';
import { npe, outOfBounds, type Method } from './java-lang.js';

// ---------------------------------------------------------------------------------------------
// java.util.ArrayList (also json-smart JSONArray and arrays through Velocity's ArrayListWrapper)

function indexOfEquals(list: readonly unknown[], item: unknown): number {
  for (let i = 0; i < list.length; i++) if (javaEquals(list[i], item)) return i;
  return -1;
}

function collectionItems(v: unknown): unknown[] | null {
  const k = kindOf(v);
  return k === K_LIST || k === K_JSON_LIST || k === K_ARRAY ? (v as unknown[]) : null;
}

function unsupportedOnArray(list: unknown[]): void {
  if (list instanceof JavaArray) throw new JavaException('java.lang.UnsupportedOperationException', 'arrays have a fixed size');
}

export const LIST_METHODS = new Map<string, Method<unknown[]>>([
  ['size', (l, a) => (a.length === 0 ? l.length : NO_METHOD)],
  ['isEmpty', (l, a) => (a.length === 0 ? l.length === 0 : NO_METHOD)],
  ['toString', (l, a) => (a.length === 0 ? javaToString(l) : NO_METHOD)],
  ['equals', (l, a) => (a.length === 1 ? javaEquals(l, a[0]) : NO_METHOD)],
  [
    'get',
    (l, a) => {
      if (a.length !== 1 || !isInt(a[0])) return NO_METHOD;
      const i = a[0];
      if (i < 0 || i >= l.length) throw outOfBounds('', i, l.length);
      return l[i];
    },
  ],
  [
    'set',
    (l, a) => {
      if (a.length !== 2 || !isInt(a[0])) return NO_METHOD;
      const i = a[0];
      if (i < 0 || i >= l.length) throw outOfBounds('', i, l.length);
      const previous = l[i];
      l[i] = a[1];
      return previous;
    },
  ],
  [
    'add',
    (l, a) => {
      if (a.length === 1) {
        unsupportedOnArray(l);
        l.push(a[0]);
        return true;
      }
      if (a.length === 2 && isInt(a[0])) {
        unsupportedOnArray(l);
        const i = a[0];
        if (i < 0 || i > l.length) throw outOfBounds('', i, l.length);
        l.splice(i, 0, a[1]);
        return '';
      }
      return NO_METHOD;
    },
  ],
  [
    'addAll',
    (l, a) => {
      const items = collectionItems(a[a.length - 1]);
      if (a.length === 1) {
        if (items === null) {
          if (a[0] == null) throw npe();
          return NO_METHOD;
        }
        unsupportedOnArray(l);
        l.push(...items.slice());
        return items.length > 0;
      }
      if (a.length === 2 && isInt(a[0])) {
        if (items === null) return NO_METHOD;
        unsupportedOnArray(l);
        const i = a[0];
        if (i < 0 || i > l.length) throw outOfBounds('', i, l.length);
        l.splice(i, 0, ...items.slice());
        return items.length > 0;
      }
      return NO_METHOD;
    },
  ],
  [
    'remove',
    (l, a) => {
      if (a.length !== 1) return NO_METHOD;
      unsupportedOnArray(l);
      if (isInt(a[0])) {
        const i = a[0];
        if (i < 0 || i >= l.length) throw outOfBounds('', i, l.length);
        return l.splice(i, 1)[0];
      }
      const at = indexOfEquals(l, a[0]);
      if (at < 0) return false;
      l.splice(at, 1);
      return true;
    },
  ],
  [
    'clear',
    (l, a) => {
      if (a.length !== 0) return NO_METHOD;
      unsupportedOnArray(l);
      l.length = 0;
      return '';
    },
  ],
  ['contains', (l, a) => (a.length === 1 ? indexOfEquals(l, a[0]) >= 0 : NO_METHOD)],
  ['indexOf', (l, a) => (a.length === 1 ? indexOfEquals(l, a[0]) : NO_METHOD)],
  [
    'lastIndexOf',
    (l, a) => {
      if (a.length !== 1) return NO_METHOD;
      for (let i = l.length - 1; i >= 0; i--) if (javaEquals(l[i], a[0])) return i;
      return -1;
    },
  ],
  [
    'containsAll',
    (l, a) => {
      if (a.length !== 1) return NO_METHOD;
      const items = collectionItems(a[0]);
      if (items === null) return NO_METHOD;
      return items.every((item) => indexOfEquals(l, item) >= 0);
    },
  ],
  [
    'subList',
    (l, a) => {
      if (a.length !== 2 || !isInt(a[0]) || !isInt(a[1])) return NO_METHOD;
      const from = a[0];
      const to = a[1];
      if (from < 0 || to > l.length || from > to) throw outOfBounds('', from < 0 ? from : to, l.length);
      return l.slice(from, to);
    },
  ],
]);

// ---------------------------------------------------------------------------------------------
// java.util.Map (LinkedHashMap, and plain host objects)

export const MAP_METHODS = new Map<string, Method<object>>([
  ['get', (m, a) => (a.length === 1 ? mapGet(m, a[0]) : NO_METHOD)],
  ['put', (m, a) => (a.length === 2 ? mapPut(m, a[0], a[1]) : NO_METHOD)],
  ['containsKey', (m, a) => (a.length === 1 ? mapHas(m, a[0]) : NO_METHOD)],
  [
    'containsValue',
    (m, a) => {
      if (a.length !== 1) return NO_METHOD;
      for (const v of mapValues(m)) if (javaEquals(v, a[0])) return true;
      return false;
    },
  ],
  ['remove', (m, a) => (a.length === 1 ? mapRemove(m, a[0]) : NO_METHOD)],
  ['size', (m, a) => (a.length === 0 ? mapSize(m) : NO_METHOD)],
  ['isEmpty', (m, a) => (a.length === 0 ? mapSize(m) === 0 : NO_METHOD)],
  ['keySet', (m, a) => (a.length === 0 ? mapKeys(m) : NO_METHOD)],
  ['values', (m, a) => (a.length === 0 ? mapValues(m) : NO_METHOD)],
  ['entrySet', (m, a) => (a.length === 0 ? mapEntries(m).map(([k, v]) => new MapEntry(m, k, v)) : NO_METHOD)],
  ['toString', (m, a) => (a.length === 0 ? javaToString(m) : NO_METHOD)],
  ['equals', (m, a) => (a.length === 1 ? javaEquals(m, a[0]) : NO_METHOD)],
  [
    'clear',
    (m, a) => {
      if (a.length !== 0) return NO_METHOD;
      mapClear(m);
      return '';
    },
  ],
  [
    'putAll',
    (m, a) => {
      if (a.length !== 1) return NO_METHOD;
      const k = kindOf(a[0]);
      if (k === K_NULL) throw npe();
      if (k !== K_MAP && k !== K_OBJECT) return NO_METHOD;
      for (const [key, value] of mapEntries(a[0])) mapPut(m, key, value);
      return '';
    },
  ],
  ['getOrDefault', (m, a) => (a.length === 2 ? (mapHas(m, a[0]) ? mapGet(m, a[0]) : a[1]) : NO_METHOD)],
  [
    'putIfAbsent',
    (m, a) => {
      if (a.length !== 2) return NO_METHOD;
      const current = mapGet(m, a[0]);
      if (current == null) mapPut(m, a[0], a[1]);
      return current;
    },
  ],
]);

export const ENTRY_METHODS = new Map<string, Method<MapEntry>>([
  ['getKey', (e, a) => (a.length === 0 ? e.key : NO_METHOD)],
  ['getValue', (e, a) => (a.length === 0 ? e.value : NO_METHOD)],
  [
    'setValue',
    (e, a) => {
      if (a.length !== 1) return NO_METHOD;
      const previous = e.value;
      e.value = a[0];
      mapPut(e.owner, e.key, a[0]);
      return previous;
    },
  ],
  ['toString', (e, a) => (a.length === 0 ? javaToString(e) : NO_METHOD)],
  ['equals', (e, a) => (a.length === 1 ? javaEquals(e, a[0]) : NO_METHOD)],
]);

export function scopeStorage(s: ForeachScope): Map<unknown, unknown> {
  if (s.storage === null) s.storage = new Map();
  return s.storage;
}

export const SCOPE_METHODS = new Map<string, Method<ForeachScope>>([
  ['getIndex', (s, a) => (a.length === 0 ? s.index : NO_METHOD)],
  ['getCount', (s, a) => (a.length === 0 ? s.index + 1 : NO_METHOD)],
  ['hasNext', (s, a) => (a.length === 0 ? s.hasNext : NO_METHOD)],
  ['getHasNext', (s, a) => (a.length === 0 ? s.hasNext : NO_METHOD)],
  ['isFirst', (s, a) => (a.length === 0 ? s.index < 1 : NO_METHOD)],
  ['getFirst', (s, a) => (a.length === 0 ? s.index < 1 : NO_METHOD)],
  ['isLast', (s, a) => (a.length === 0 ? !s.hasNext : NO_METHOD)],
  ['getLast', (s, a) => (a.length === 0 ? !s.hasNext : NO_METHOD)],
  ['getParent', (s, a) => (a.length === 0 ? s.parent : NO_METHOD)],
  ['getTopmost', (s, a) => (a.length === 0 ? s.topmost() : NO_METHOD)],
  ['getReplaced', (s, a) => (a.length === 0 ? s.getReplaced() : NO_METHOD)],
  ['get', (s, a) => (a.length === 1 ? s.get(a[0]) : NO_METHOD)],
  ['put', (s, a) => (a.length === 2 ? mapPut(scopeStorage(s), a[0], a[1]) : NO_METHOD)],
  ['containsKey', (s, a) => (a.length === 1 ? (s.storage?.has(a[0]) ?? false) : NO_METHOD)],
  ['size', (s, a) => (a.length === 0 ? (s.storage?.size ?? 0) : NO_METHOD)],
  ['isEmpty', (s, a) => (a.length === 0 ? (s.storage?.size ?? 0) === 0 : NO_METHOD)],
  ['keySet', (s, a) => (a.length === 0 ? mapKeys(scopeStorage(s)) : NO_METHOD)],
  ['values', (s, a) => (a.length === 0 ? mapValues(scopeStorage(s)) : NO_METHOD)],
  ['toString', (s, a) => (a.length === 0 ? javaToString(s) : NO_METHOD)],
]);
