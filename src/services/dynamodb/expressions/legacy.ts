/**
 * The legacy conditional parameters (Developer Guide "Legacy conditional parameters": Expected,
 * QueryFilter, ScanFilter, KeyConditions, AttributeUpdates) turned into the same bound trees the
 * expressions produce, so one evaluator serves both.
 */
import { invalidParameter, validation } from '../errors.js';
import { validateValue, type AttributeValue } from '../types.js';
import type { BoundCondition, BoundOperand, BoundUpdate, Comparator } from './ast.js';
import type { KeyTerm, SortOperator } from './key-condition.js';

type Raw = Record<string, unknown>;

const COMPARE: Record<string, Comparator> = { EQ: '=', NE: '<>', LE: '<=', LT: '<', GE: '>=', GT: '>' };
const ARITY: Record<string, number> = { EQ: 1, NE: 1, LE: 1, LT: 1, GE: 1, GT: 1, NOT_NULL: 0, NULL: 0, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1, BETWEEN: 2 };

function values(raw: unknown): AttributeValue[] {
  return Array.isArray(raw) ? raw.map(validateValue) : [];
}

function one(name: string, op: string, list: AttributeValue[]): BoundCondition {
  const path: BoundOperand = { k: 'path', path: [name] };
  const expected = ARITY[op];
  if (op !== 'IN' && expected !== undefined && list.length !== expected) {
    throw invalidParameter(`Invalid number of argument(s) for the ${op} ComparisonOperator`);
  }
  const v = (i: number): BoundOperand => ({ k: 'value', value: list[i]! });
  if (COMPARE[op] !== undefined) return { k: 'cmp', op: COMPARE[op]!, a: path, b: v(0) };
  switch (op) {
    case 'NOT_NULL':
      return { k: 'exists', path: [name] };
    case 'NULL':
      return { k: 'not_exists', path: [name] };
    case 'CONTAINS':
      return { k: 'contains', a: path, b: v(0) };
    case 'NOT_CONTAINS':
      return { k: 'and', a: { k: 'exists', path: [name] }, b: { k: 'not', c: { k: 'contains', a: path, b: v(0) } } };
    case 'BEGINS_WITH':
      return { k: 'begins_with', a: path, b: v(0) };
    case 'BETWEEN':
      return { k: 'between', v: path, low: v(0), high: v(1) };
    case 'IN':
      if (list.length === 0) throw invalidParameter('Invalid number of argument(s) for the IN ComparisonOperator');
      return { k: 'in', v: path, list: list.map((_, i) => v(i)) };
    default:
      throw validation(`1 validation error detected: Value '${op}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]`);
  }
}

function join(conds: BoundCondition[], operator: unknown): BoundCondition | undefined {
  if (conds.length === 0) return undefined;
  const k = operator === 'OR' ? 'or' : 'and';
  return conds.reduce((a, b) => ({ k, a, b }));
}

/** Expected: {attr: {Value, Exists} | {ComparisonOperator, AttributeValueList}}. */
export function legacyExpected(raw: unknown, operator: unknown): BoundCondition | undefined {
  if (raw === undefined || raw === null) return undefined;
  const conds = Object.entries(raw as Raw).map(([name, spec]) => {
    const s = spec as Raw;
    if (s['ComparisonOperator'] !== undefined) return one(name, String(s['ComparisonOperator']), values(s['AttributeValueList']));
    const exists = s['Exists'] !== false;
    if (!exists) {
      if (s['Value'] !== undefined) throw invalidParameter('Value cannot be used when Exists is false');
      return { k: 'not_exists', path: [name] } as BoundCondition;
    }
    if (s['Value'] === undefined) throw invalidParameter('Value must be provided when Exists is true');
    return one(name, 'EQ', [validateValue(s['Value'])]);
  });
  return join(conds, operator);
}

/** QueryFilter / ScanFilter: {attr: {ComparisonOperator, AttributeValueList}}. */
export function legacyFilter(raw: unknown, operator: unknown): BoundCondition | undefined {
  if (raw === undefined || raw === null) return undefined;
  return join(
    Object.entries(raw as Raw).map(([name, spec]) => one(name, String((spec as Raw)['ComparisonOperator']), values((spec as Raw)['AttributeValueList']))),
    operator,
  );
}

/** KeyConditions: the same terms a KeyConditionExpression yields. */
export function legacyKeyConditions(raw: Raw): KeyTerm[] {
  const ops: Record<string, SortOperator> = { EQ: '=', LE: '<=', LT: '<', GE: '>=', GT: '>', BETWEEN: 'BETWEEN', BEGINS_WITH: 'BEGINS_WITH' };
  return Object.entries(raw).map(([name, spec]) => {
    const s = spec as Raw;
    const op = ops[String(s['ComparisonOperator'])];
    if (op === undefined) throw validation(`Attempted conditional constraint is not an indexable operation`);
    return { name, op, values: values(s['AttributeValueList']) };
  });
}

/** AttributeUpdates: {attr: {Action: PUT | ADD | DELETE, Value}}. */
export function legacyAttributeUpdates(raw: Raw): BoundUpdate {
  const update: BoundUpdate = { set: [], remove: [], add: [], delete: [] };
  for (const [name, spec] of Object.entries(raw)) {
    const s = spec as Raw;
    const action = s['Action'] ?? 'PUT';
    const value = s['Value'] === undefined ? undefined : validateValue(s['Value']);
    if (action === 'PUT') {
      if (value === undefined) throw invalidParameter('Only DELETE action is allowed when no attribute value is specified');
      update.set.push({ path: [name], value: { k: 'value', value } });
    } else if (action === 'DELETE') {
      if (value === undefined) update.remove.push([name]);
      else update.delete.push({ path: [name], value });
    } else if (action === 'ADD') {
      if (value === undefined) throw invalidParameter('Only DELETE action is allowed when no attribute value is specified');
      update.add.push({ path: [name], value });
    } else {
      throw validation(`1 validation error detected: Value '${String(action)}' at 'attributeUpdates.${name}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]`);
    }
  }
  return update;
}
