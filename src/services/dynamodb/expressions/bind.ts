/**
 * Binds parsed expressions to one request's names and values and applies DynamoDB's checks that
 * depend on them (Developer Guide "Condition and filter expressions", "Update expressions"):
 * operand types of literal values, BETWEEN bounds, key attributes in updates, overlapping paths.
 */
import { invalidExpression, invalidParameter } from '../errors.js';
import { ATTRIBUTE_TYPES, compareValues, describeValue, typeOf, type AttributeType } from '../types.js';
import type { BoundCondition, BoundOperand, BoundUpdate, ConditionNode, ExpressionKind, Operand, Parsed, Path, PathNode, UpdateNode } from './ast.js';
import { describePath } from './ast.js';
import type { ExpressionAttributes } from './attributes.js';

/** DynamoDB's long type names, used in ADD / DELETE operand messages. */
const LONG_TYPE: Record<AttributeType, string> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  BOOL: 'BOOLEAN',
  NULL: 'NULL',
  L: 'LIST',
  M: 'MAP',
  SS: 'STRING SET',
  NS: 'NUMBER SET',
  BS: 'BINARY SET',
};
const ORDERED = new Set<AttributeType>(['N', 'S', 'B']);

export function bindPath(node: PathNode, attrs: ExpressionAttributes): Path {
  return node.elements.map((e) => (e.kind === 'name' ? e.name : e.kind === 'ref' ? attrs.name(e.ref) : e.index));
}

class Binder {
  constructor(
    private readonly attrs: ExpressionAttributes,
    private readonly kind: ExpressionKind,
  ) {}

  fail(detail: string): Error {
    return invalidExpression(this.kind, detail);
  }

  operand(node: Operand): BoundOperand {
    switch (node.k) {
      case 'path':
        return { k: 'path', path: bindPath(node, this.attrs) };
      case 'value':
        return { k: 'value', value: this.attrs.value(node.ref) };
      case 'arith': {
        const a = this.operand(node.left);
        const b = this.operand(node.right);
        this.requireLiteralType(node.op, a, ['N']);
        this.requireLiteralType(node.op, b, ['N']);
        return { k: 'arith', op: node.op, a, b };
      }
      case 'fn': {
        const args = node.args.map((a) => this.operand(a));
        if (node.name === 'size') return { k: 'size', path: (args[0] as { path: Path }).path };
        if (node.name === 'if_not_exists') return { k: 'if_not_exists', path: (args[0] as { path: Path }).path, fallback: args[1]! };
        this.requireLiteralType('list_append', args[0]!, ['L']);
        this.requireLiteralType('list_append', args[1]!, ['L']);
        return { k: 'list_append', a: args[0]!, b: args[1]! };
      }
    }
  }

  requireLiteralType(op: string, operand: BoundOperand, allowed: AttributeType[]): void {
    if (operand.k === 'value' && !allowed.includes(typeOf(operand.value))) {
      throw this.fail(`Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${typeOf(operand.value)}`);
    }
  }

  distinct(op: string, a: BoundOperand, b: BoundOperand): void {
    if (a.k === 'path' && b.k === 'path' && describePath(a.path) === describePath(b.path)) {
      throw this.fail(`The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${describePath(a.path)}`);
    }
  }

  condition(node: ConditionNode): BoundCondition {
    switch (node.k) {
      case 'and':
      case 'or':
        return { k: node.k, a: this.condition(node.left), b: this.condition(node.right) };
      case 'not':
        return { k: 'not', c: this.condition(node.cond) };
      case 'cmp': {
        const a = this.operand(node.left);
        const b = this.operand(node.right);
        this.distinct(node.op, a, b);
        if (node.op !== '=' && node.op !== '<>') {
          this.requireLiteralType(node.op, a, [...ORDERED]);
          this.requireLiteralType(node.op, b, [...ORDERED]);
        }
        return { k: 'cmp', op: node.op, a, b };
      }
      case 'between': {
        const v = this.operand(node.value);
        const low = this.operand(node.low);
        const high = this.operand(node.high);
        for (const o of [v, low, high]) this.requireLiteralType('BETWEEN', o, [...ORDERED]);
        if (low.k === 'value' && high.k === 'value') {
          const bounds = `lower bound operand: AttributeValue: ${describeValue(low.value)}, upper bound operand: AttributeValue: ${describeValue(high.value)}`;
          const order = compareValues(low.value, high.value);
          if (order === undefined) throw this.fail(`The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
          if (order > 0) throw this.fail(`The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
        }
        return { k: 'between', v, low, high };
      }
      case 'in': {
        const v = this.operand(node.value);
        return { k: 'in', v, list: node.list.map((o) => this.operand(o)) };
      }
      case 'call': {
        const args = node.args.map((a) => this.operand(a));
        switch (node.name) {
          case 'attribute_exists':
            return { k: 'exists', path: (args[0] as { path: Path }).path };
          case 'attribute_not_exists':
            return { k: 'not_exists', path: (args[0] as { path: Path }).path };
          case 'attribute_type': {
            const t = args[1]!;
            if (t.k !== 'value' || t.value.S === undefined) {
              throw this.fail(`Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${t.k === 'value' ? typeOf(t.value) : 'PATH'}`);
            }
            if (!ATTRIBUTE_TYPES.includes(t.value.S as AttributeType)) {
              throw this.fail(`Invalid attribute type name found; type: ${t.value.S}, valid types: { B; NULL; SS; BOOL; L; BS; N; NS; S; M }`);
            }
            return { k: 'type', path: (args[0] as { path: Path }).path, type: t.value.S as AttributeType };
          }
          case 'begins_with':
            this.requireLiteralType('begins_with', args[0]!, ['S', 'B']);
            this.requireLiteralType('begins_with', args[1]!, ['S', 'B']);
            return { k: 'begins_with', a: args[0]!, b: args[1]! };
          default:
            return { k: 'contains', a: args[0]!, b: args[1]! };
        }
      }
    }
  }
}

export function bindCondition(parsed: Parsed<ConditionNode>, attrs: ExpressionAttributes, kind: ExpressionKind): BoundCondition {
  attrs.use(parsed, kind);
  return new Binder(attrs, kind).condition(parsed.ast);
}

export function bindProjection(parsed: Parsed<PathNode[]>, attrs: ExpressionAttributes): Path[] {
  attrs.use(parsed, 'ProjectionExpression');
  const paths = parsed.ast.map((p) => bindPath(p, attrs));
  checkOverlaps('ProjectionExpression', paths);
  return paths;
}

export function bindUpdate(parsed: Parsed<UpdateNode>, attrs: ExpressionAttributes, keyNames: readonly string[]): BoundUpdate {
  attrs.use(parsed, 'UpdateExpression');
  const b = new Binder(attrs, 'UpdateExpression');
  const ast = parsed.ast;
  const update: BoundUpdate = {
    set: ast.set.map((a) => ({ path: bindPath(a.path, attrs), value: b.operand(a.value) })),
    remove: ast.remove.map((p) => bindPath(p, attrs)),
    add: ast.add.map((a) => ({ path: bindPath(a.path, attrs), value: attrs.value(a.value.ref) })),
    delete: ast.delete.map((a) => ({ path: bindPath(a.path, attrs), value: attrs.value(a.value.ref) })),
  };
  for (const { value } of update.add) {
    const t = typeOf(value);
    if (t !== 'N' && t !== 'SS' && t !== 'NS' && t !== 'BS') {
      throw b.fail(`Incorrect operand type for operator or function; operator: ADD, operand type: ${LONG_TYPE[t]}`);
    }
  }
  for (const { value } of update.delete) {
    const t = typeOf(value);
    if (t !== 'SS' && t !== 'NS' && t !== 'BS') {
      throw b.fail(`Incorrect operand type for operator or function; operator: DELETE, operand type: ${LONG_TYPE[t]}`);
    }
  }
  const paths = [...update.set.map((a) => a.path), ...update.remove, ...update.add.map((a) => a.path), ...update.delete.map((a) => a.path)];
  checkOverlaps('UpdateExpression', paths);
  for (const path of paths) {
    if (keyNames.includes(path[0] as string)) {
      throw invalidParameter(`Cannot update attribute ${String(path[0])}. This attribute is part of the key`);
    }
  }
  return update;
}

/** Two paths overlap when one is a prefix of the other; they conflict when one indexes a list where the other names a map key. */
export function checkOverlaps(kind: ExpressionKind, paths: readonly Path[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const a = paths[i]!;
      const b = paths[j]!;
      const n = Math.min(a.length, b.length);
      let k = 0;
      while (k < n && a[k] === b[k]) k++;
      const pair = `path one: ${describePath(a)}, path two: ${describePath(b)}`;
      if (k === n) throw invalidExpression(kind, `Two document paths overlap with each other; must remove or rewrite one of these paths; ${pair}`);
      if (typeof a[k] !== typeof b[k]) throw invalidExpression(kind, `Two document paths conflict with each other; must remove or rewrite one of these paths; ${pair}`);
    }
  }
}
