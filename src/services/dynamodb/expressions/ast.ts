/**
 * Syntax trees of DynamoDB expressions (Developer Guide "Expressions": condition and filter,
 * key condition, update, projection). `Parsed*` trees hold placeholders as written and are cached by
 * expression text; `Bound*` trees have names and values resolved for one request.
 */
import type { AttributeType, AttributeValue } from '../types.js';

export type ExpressionKind = 'ConditionExpression' | 'FilterExpression' | 'KeyConditionExpression' | 'UpdateExpression' | 'ProjectionExpression';

export type PathElement = { kind: 'name'; name: string } | { kind: 'ref'; ref: string } | { kind: 'index'; index: number };

export interface PathNode {
  k: 'path';
  elements: PathElement[];
}
export interface ValueNode {
  k: 'value';
  ref: string;
}
export interface FunctionNode {
  k: 'fn';
  name: string;
  args: Operand[];
}
export interface ArithmeticNode {
  k: 'arith';
  op: '+' | '-';
  left: Operand;
  right: Operand;
}
export type Operand = PathNode | ValueNode | FunctionNode | ArithmeticNode;

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ConditionNode =
  | { k: 'cmp'; op: Comparator; left: Operand; right: Operand }
  | { k: 'between'; value: Operand; low: Operand; high: Operand }
  | { k: 'in'; value: Operand; list: Operand[] }
  | { k: 'call'; name: string; args: Operand[] }
  | { k: 'and' | 'or'; left: ConditionNode; right: ConditionNode }
  | { k: 'not'; cond: ConditionNode };

export interface UpdateNode {
  set: { path: PathNode; value: Operand }[];
  remove: PathNode[];
  add: { path: PathNode; value: ValueNode }[];
  delete: { path: PathNode; value: ValueNode }[];
}

/** A parsed expression with the placeholders it references (for the "unused" checks). */
export interface Parsed<T> {
  ast: T;
  names: readonly string[];
  values: readonly string[];
}

// ---- bound (one request) ----

/** Document path: attribute and map keys as strings, list indexes as numbers. */
export type Path = (string | number)[];

export type BoundOperand =
  | { k: 'path'; path: Path }
  | { k: 'value'; value: AttributeValue }
  | { k: 'size'; path: Path }
  | { k: 'if_not_exists'; path: Path; fallback: BoundOperand }
  | { k: 'list_append'; a: BoundOperand; b: BoundOperand }
  | { k: 'arith'; op: '+' | '-'; a: BoundOperand; b: BoundOperand };

export type BoundCondition =
  | { k: 'cmp'; op: Comparator; a: BoundOperand; b: BoundOperand }
  | { k: 'between'; v: BoundOperand; low: BoundOperand; high: BoundOperand }
  | { k: 'in'; v: BoundOperand; list: BoundOperand[] }
  | { k: 'exists'; path: Path }
  | { k: 'not_exists'; path: Path }
  | { k: 'type'; path: Path; type: AttributeType }
  | { k: 'begins_with'; a: BoundOperand; b: BoundOperand }
  | { k: 'contains'; a: BoundOperand; b: BoundOperand }
  | { k: 'and' | 'or'; a: BoundCondition; b: BoundCondition }
  | { k: 'not'; c: BoundCondition };

export interface BoundUpdate {
  set: { path: Path; value: BoundOperand }[];
  remove: Path[];
  add: { path: Path; value: AttributeValue }[];
  delete: { path: Path; value: AttributeValue }[];
}

/** How DynamoDB prints a document path in messages: `[a, b, [2]]`. */
export function describePath(path: Path): string {
  return `[${path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join(', ')}]`;
}
