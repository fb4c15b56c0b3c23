/**
 * Subscription filter policies: on message attributes (FilterPolicyScope MessageAttributes, the
 * default) or on the JSON message body (MessageBody, with nested keys). Every policy key must
 * match (AND), any of a key's conditions may (OR); conditions are exact strings and numbers,
 * `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values, or a prefix/suffix), `numeric`
 * ranges, `exists`, and `$or` between key sets. String.Array attributes match when any element does.
 * AWS docs: Amazon SNS Developer Guide, "Amazon SNS message filtering" > "Filter policy
 * constraints", "String value matching", "Numeric value matching", "Key matching", "AND/OR logic".
 */
import { invalidParameter } from './errors.js';

export type FilterPolicy = Record<string, unknown>;

export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

/** Parses and checks a FilterPolicy attribute; `scope` decides whether nested keys are allowed. */
export function parseFilterPolicy(text: string, scope: 'MessageAttributes' | 'MessageBody'): FilterPolicy {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalidParameter('FilterPolicy: failed to parse JSON.');
  }
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) throw invalidParameter('FilterPolicy: Filter policy must be a JSON object');
  checkLevel(policy as FilterPolicy, scope, 0);
  return policy as FilterPolicy;
}

function checkLevel(policy: FilterPolicy, scope: string, depth: number): void {
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || value.some((v) => v === null || typeof v !== 'object' || Array.isArray(v))) {
        throw invalidParameter('FilterPolicy: $or must be an array of at least two objects');
      }
      for (const sub of value as FilterPolicy[]) checkLevel(sub, scope, depth);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalidParameter(`FilterPolicy: Empty arrays are not allowed`);
      for (const condition of value) checkCondition(key, condition);
    } else if (value !== null && typeof value === 'object' && scope === 'MessageBody') {
      checkLevel(value as FilterPolicy, scope, depth + 1);
    } else {
      throw invalidParameter(`FilterPolicy: "${key}" must be an object or an array`);
    }
  }
}

function checkCondition(key: string, condition: unknown): void {
  if (condition === null || typeof condition !== 'object') return;
  if (Array.isArray(condition)) throw invalidParameter(`FilterPolicy: Match value of "${key}" must be a string, number, boolean, null or an object`);
  const entries = Object.entries(condition as Record<string, unknown>);
  if (entries.length !== 1) throw invalidParameter(`FilterPolicy: Only one operator is allowed in each match condition of "${key}"`);
  const [operator, operand] = entries[0]!;
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw invalidParameter(`FilterPolicy: ${operator} match pattern must be a string`);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw invalidParameter('FilterPolicy: exists match pattern must be either true or false.');
      return;
    case 'anything-but':
      return;
    case 'numeric': {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
        throw invalidParameter('FilterPolicy: Value of numeric must be an array.');
      }
      for (let i = 0; i < operand.length; i += 2) {
        if (!NUMERIC_OPERATORS.has(operand[i] as string) || typeof operand[i + 1] !== 'number') {
          throw invalidParameter(`FilterPolicy: Unrecognized numeric range operator: ${String(operand[i])}`);
        }
      }
      return;
    }
    default:
      throw invalidParameter(`FilterPolicy: Unrecognized match type ${operator}`);
  }
}

/** What a policy key finds in the message: absent, or the values to test (several for arrays). */
type Lookup = (key: string) => unknown[] | undefined;

/** True when the message attributes satisfy the policy. */
export function matchesAttributes(policy: FilterPolicy, attributes: Record<string, AttributeValue> | undefined): boolean {
  return matchLevel(policy, (key) => {
    const attribute = attributes?.[key];
    if (attribute === undefined) return undefined;
    const type = attribute.DataType;
    if (type.startsWith('Number')) return [Number(attribute.StringValue)];
    if (type === 'String.Array') {
      try {
        const items = JSON.parse(attribute.StringValue ?? '') as unknown;
        return Array.isArray(items) ? items : [];
      } catch {
        return [];
      }
    }
    if (type.startsWith('Binary')) return [];
    return [attribute.StringValue ?? ''];
  });
}

/** True when the JSON message body satisfies the policy (a body that is not a JSON object matches nothing). */
export function matchesBody(policy: FilterPolicy, body: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return false;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  return matchBodyLevel(policy, document as Record<string, unknown>);
}

/** True when an already parsed JSON object satisfies a MessageBody-scoped policy (Lambda event filtering uses the same rules). */
export function matchesDocument(policy: FilterPolicy, document: Record<string, unknown>): boolean {
  return matchBodyLevel(policy, document);
}

function matchBodyLevel(policy: FilterPolicy, document: Record<string, unknown>): boolean {
  const nested = (key: string) => {
    const value = policy[key];
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  };
  for (const key of Object.keys(policy)) {
    if (key === '$or' || !nested(key)) continue;
    const child = document[key];
    const children = Array.isArray(child) ? child : [child];
    const ok = children.some((c) => c !== null && typeof c === 'object' && !Array.isArray(c) && matchBodyLevel(policy[key] as FilterPolicy, c as Record<string, unknown>));
    if (!ok) return false;
  }
  const flat = Object.fromEntries(Object.entries(policy).filter(([key]) => !nested(key)));
  return matchLevel(flat, (key) => {
    if (!Object.hasOwn(document, key)) return undefined;
    const value = document[key];
    return Array.isArray(value) ? value : [value];
  });
}

function matchLevel(policy: FilterPolicy, lookup: Lookup): boolean {
  for (const [key, conditions] of Object.entries(policy)) {
    if (key === '$or') {
      if (!(conditions as FilterPolicy[]).some((sub) => matchLevel(sub, lookup))) return false;
      continue;
    }
    if (!matchKey(conditions as unknown[], lookup(key))) return false;
  }
  return true;
}

function matchKey(conditions: unknown[], values: unknown[] | undefined): boolean {
  for (const condition of conditions) {
    if (condition !== null && typeof condition === 'object' && 'exists' in condition) {
      if ((condition as { exists: boolean }).exists === (values !== undefined)) return true;
      continue;
    }
    if (values === undefined) continue;
    if (values.some((value) => matchCondition(condition, value))) return true;
  }
  return false;
}

function matchCondition(condition: unknown, value: unknown): boolean {
  if (condition === null || typeof condition !== 'object') {
    // Exact matching: strings against strings, numbers numerically against numbers.
    if (typeof condition === 'number') return typeof value === 'number' && value === condition;
    return value === condition;
  }
  const [operator, operand] = Object.entries(condition as Record<string, unknown>)[0]!;
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) && numericMatch(operand as unknown[], value);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      return false;
  }
}

function numericMatch(range: unknown[], value: number): boolean {
  for (let i = 0; i < range.length; i += 2) {
    const bound = range[i + 1] as number;
    switch (range[i]) {
      case '<':
        if (!(value < bound)) return false;
        break;
      case '<=':
        if (!(value <= bound)) return false;
        break;
      case '=':
        if (value !== bound) return false;
        break;
      case '>':
        if (!(value > bound)) return false;
        break;
      case '>=':
        if (!(value >= bound)) return false;
        break;
    }
  }
  return true;
}

function anythingBut(operand: unknown, value: unknown): boolean {
  if (operand !== null && typeof operand === 'object' && !Array.isArray(operand)) {
    const [operator, pattern] = Object.entries(operand as Record<string, unknown>)[0] ?? [];
    if (typeof value !== 'string') return operator !== 'prefix' && operator !== 'suffix' ? false : true;
    if (operator === 'prefix') return !value.startsWith(pattern as string);
    if (operator === 'suffix') return !value.endsWith(pattern as string);
    if (operator === 'equals-ignore-case') {
      const list = Array.isArray(pattern) ? pattern : [pattern];
      return !list.some((p) => typeof p === 'string' && p.toLowerCase() === value.toLowerCase());
    }
    return false;
  }
  const list = Array.isArray(operand) ? operand : [operand];
  return !list.some((item) => item === value);
}
