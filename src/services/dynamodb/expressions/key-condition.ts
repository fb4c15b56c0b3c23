/**
 * Turns a Query's KeyConditionExpression into a key range (API Reference "Query" ->
 * KeyConditionExpression): equality on the partition key, optionally one of =, <, <=, >, >=,
 * BETWEEN or begins_with on the sort key, joined by AND.
 */
import { invalidExpression, invalidParameter, validation } from '../errors.js';
import { typeOf, type AttributeValue, type KeyType } from '../types.js';
import type { BoundCondition, BoundOperand, ConditionNode, Parsed } from './ast.js';
import type { ExpressionAttributes } from './attributes.js';
import { bindCondition } from './bind.js';

export type SortOperator = '=' | '<' | '<=' | '>' | '>=' | 'BETWEEN' | 'BEGINS_WITH';

export interface KeyRange {
  hash: AttributeValue;
  sort?: { op: SortOperator; values: AttributeValue[] };
}

export interface KeySchemaView {
  hash: string;
  hashType: KeyType;
  range?: string;
  rangeType?: KeyType;
}

const FLIP: Record<string, SortOperator> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

interface Term {
  name: string;
  op: SortOperator;
  values: AttributeValue[];
}

function attributeName(op: BoundOperand): string | undefined {
  if (op.k !== 'path') return undefined;
  if (op.path.length > 1) throw validation('KeyConditionExpressions cannot have conditions on nested attributes');
  return op.path[0] as string;
}

function terms(cond: BoundCondition, out: Term[]): void {
  switch (cond.k) {
    case 'and':
      terms(cond.a, out);
      terms(cond.b, out);
      return;
    case 'cmp': {
      if (cond.op === '<>') throw validation('Invalid operator used in KeyConditionExpression: <>');
      const left = attributeName(cond.a);
      const right = attributeName(cond.b);
      if (left !== undefined && cond.b.k === 'value') out.push({ name: left, op: cond.op, values: [cond.b.value] });
      else if (right !== undefined && cond.a.k === 'value') out.push({ name: right, op: FLIP[cond.op]!, values: [cond.a.value] });
      else throw validation('Query key condition not supported');
      return;
    }
    case 'between': {
      const name = attributeName(cond.v);
      if (name === undefined || cond.low.k !== 'value' || cond.high.k !== 'value') throw validation('Query key condition not supported');
      out.push({ name, op: 'BETWEEN', values: [cond.low.value, cond.high.value] });
      return;
    }
    case 'begins_with': {
      const name = attributeName(cond.a);
      if (name === undefined || cond.b.k !== 'value') throw validation('Query key condition not supported');
      out.push({ name, op: 'BEGINS_WITH', values: [cond.b.value] });
      return;
    }
    default: {
      const word: Record<string, string> = { or: 'OR', not: 'NOT', in: 'IN', exists: 'attribute_exists', not_exists: 'attribute_not_exists', type: 'attribute_type', contains: 'contains' };
      throw validation(`Invalid operator used in KeyConditionExpression: ${word[cond.k] ?? cond.k}`);
    }
  }
}

export function bindKeyCondition(parsed: Parsed<ConditionNode>, attrs: ExpressionAttributes, schema: KeySchemaView): KeyRange {
  const bound = bindCondition(parsed, attrs, 'KeyConditionExpression');
  const list: Term[] = [];
  terms(bound, list);
  if (list.length > 2) throw validation('Conditions can be of length 1 or 2 only');
  return keyRange(list, schema);
}

/** Shared by the expression and the legacy KeyConditions forms. */
export function keyRange(list: Term[], schema: KeySchemaView): KeyRange {
  const hashTerm = list.find((t) => t.name === schema.hash);
  if (hashTerm === undefined) throw validation(`Query condition missed key schema element: ${schema.hash}`);
  if (hashTerm.op !== '=') throw validation('Query key condition not supported');
  checkType(hashTerm.values, schema.hashType);
  const rest = list.filter((t) => t !== hashTerm);
  if (rest.length === 0) return { hash: hashTerm.values[0]! };
  const sortTerm = rest[0]!;
  if (schema.range === undefined) throw validation('Query key condition not supported');
  if (sortTerm.name !== schema.range) throw validation(`Query condition missed key schema element: ${schema.range}`);
  if (sortTerm.op === 'BEGINS_WITH' && schema.rangeType === 'N') {
    throw invalidExpression('KeyConditionExpression', 'Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
  }
  checkType(sortTerm.values, schema.rangeType!);
  return { hash: hashTerm.values[0]!, sort: { op: sortTerm.op, values: sortTerm.values } };
}

function checkType(values: AttributeValue[], type: KeyType): void {
  for (const v of values) {
    if (typeOf(v) !== type) throw invalidParameter('Condition parameter type does not match schema type');
  }
}

export type { Term as KeyTerm };
