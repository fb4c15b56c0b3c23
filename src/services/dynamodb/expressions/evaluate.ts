/**
 * Evaluates bound conditions against an item (Developer Guide "Comparison operator and function
 * reference"). A comparison with a missing attribute or mismatched types is false, except `<>`,
 * which is true when the values differ in any way.
 */
import { compareValues, typeOf, valuesEqual, type AttributeMap, type AttributeValue } from '../types.js';
import type { BoundCondition, BoundOperand, Path } from './ast.js';

export function getPath(item: AttributeMap, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && current !== undefined; i++) {
    const step = path[i]!;
    current = typeof step === 'number' ? current.L?.[step] : current.M?.[step];
  }
  return current;
}

/** size(): characters as UTF-8 bytes for S, bytes for B, members for sets, elements for L and M. */
export function sizeOf(value: AttributeValue): number | undefined {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  const members = value.SS ?? value.NS ?? value.BS ?? value.L;
  if (members !== undefined) return members.length;
  if (value.M !== undefined) return Object.keys(value.M).length;
  return undefined;
}

function operand(item: AttributeMap, op: BoundOperand): AttributeValue | undefined {
  switch (op.k) {
    case 'path':
      return getPath(item, op.path);
    case 'value':
      return op.value;
    case 'size': {
      const v = getPath(item, op.path);
      const size = v === undefined ? undefined : sizeOf(v);
      return size === undefined ? undefined : { N: String(size) };
    }
    default:
      return undefined; // update-only operands never reach a condition (the parser rejects them)
  }
}

function bytesOf(value: AttributeValue): Buffer {
  return Buffer.from(value.B!, 'base64');
}

function contains(haystack: AttributeValue, needle: AttributeValue): boolean {
  if (haystack.S !== undefined) return needle.S !== undefined && haystack.S.includes(needle.S);
  if (haystack.B !== undefined) return needle.B !== undefined && bytesOf(haystack).includes(bytesOf(needle));
  if (haystack.SS !== undefined) return needle.S !== undefined && haystack.SS.includes(needle.S);
  if (haystack.NS !== undefined) return needle.N !== undefined && haystack.NS.includes(needle.N);
  if (haystack.BS !== undefined) return needle.B !== undefined && haystack.BS.includes(needle.B);
  if (haystack.L !== undefined) return haystack.L.some((e) => valuesEqual(e, needle));
  return false;
}

function beginsWith(value: AttributeValue, prefix: AttributeValue): boolean {
  if (value.S !== undefined) return prefix.S !== undefined && value.S.startsWith(prefix.S);
  if (value.B !== undefined && prefix.B !== undefined) {
    const v = bytesOf(value);
    const p = bytesOf(prefix);
    return v.length >= p.length && v.subarray(0, p.length).equals(p);
  }
  return false;
}

export function evaluate(cond: BoundCondition, item: AttributeMap): boolean {
  switch (cond.k) {
    case 'and':
      return evaluate(cond.a, item) && evaluate(cond.b, item);
    case 'or':
      return evaluate(cond.a, item) || evaluate(cond.b, item);
    case 'not':
      return !evaluate(cond.c, item);
    case 'exists':
      return getPath(item, cond.path) !== undefined;
    case 'not_exists':
      return getPath(item, cond.path) === undefined;
    case 'type': {
      const v = getPath(item, cond.path);
      return v !== undefined && typeOf(v) === cond.type;
    }
    case 'begins_with': {
      const a = operand(item, cond.a);
      const b = operand(item, cond.b);
      return a !== undefined && b !== undefined && beginsWith(a, b);
    }
    case 'contains': {
      const a = operand(item, cond.a);
      const b = operand(item, cond.b);
      return a !== undefined && b !== undefined && contains(a, b);
    }
    case 'in': {
      const v = operand(item, cond.v);
      if (v === undefined) return false;
      return cond.list.some((o) => {
        const candidate = operand(item, o);
        return candidate !== undefined && valuesEqual(v, candidate);
      });
    }
    case 'between': {
      const v = operand(item, cond.v);
      const low = operand(item, cond.low);
      const high = operand(item, cond.high);
      if (v === undefined || low === undefined || high === undefined) return false;
      const lo = compareValues(v, low);
      const hi = compareValues(v, high);
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'cmp': {
      const a = operand(item, cond.a);
      const b = operand(item, cond.b);
      if (cond.op === '<>') return a === undefined || b === undefined || !valuesEqual(a, b);
      if (a === undefined || b === undefined) return false;
      if (cond.op === '=') return valuesEqual(a, b);
      const order = compareValues(a, b);
      if (order === undefined) return false;
      switch (cond.op) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        default:
          return order >= 0;
      }
    }
  }
}
