/**
 * Pieces the item operations share (API Reference "PutItem", "GetItem", "UpdateItem",
 * "DeleteItem", "Query", "Scan"): table lookup, key and item validation, expression preparation
 * with the unused-placeholder check, ReturnValues and consumed capacity.
 */
import { AwsServiceError } from '../../protocol/errors.js';
import type { DynamoContext, Input } from '../context.js';
import { resourceNotFound, serialization, validation, Violations } from '../errors.js';
import type { BoundCondition, ExpressionKind, Path } from '../expressions/ast.js';
import { ExpressionAttributes } from '../expressions/attributes.js';
import { bindCondition, bindProjection } from '../expressions/bind.js';
import { conditionExpression, projectionExpression } from '../expressions/cache.js';
import { Projection } from '../expressions/projection.js';
import { keyParts, type KeyParts } from '../keys.js';
import { checkIndexAttributes, checkKeyAttributes, type TableDefinition } from '../schema.js';
import { itemSize, validateMap, type AttributeMap } from '../types.js';

/** Items are limited to 400 KB (Developer Guide "Service, account, and table quotas": item size). */
export const MAX_ITEM_SIZE = 400 * 1024;
export const RETURN_VALUES = ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const;
export const RETURN_CONSUMED = ['INDEXES', 'TOTAL', 'NONE'] as const;
export const RETURN_METRICS = ['SIZE', 'NONE'] as const;
export const RETURN_ON_FAILURE = ['ALL_OLD', 'NONE'] as const;

export function requireTable(ctx: DynamoContext, name: unknown): TableDefinition {
  const def = ctx.store.table(String(name));
  if (def === undefined) throw resourceNotFound();
  return def;
}

export function asMap(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function nowSeconds(ctx: DynamoContext): number {
  return ctx.now() / 1000;
}

export interface ItemKey {
  key: AttributeMap;
  parts: KeyParts;
}

/** A `Key` parameter: exactly the table's key attributes, with the right types. */
export function readKey(def: TableDefinition, raw: unknown): ItemKey {
  const map = asMap(raw);
  if (map === undefined) throw validation('The provided key element does not match the schema');
  const key = validateMap(map);
  checkKeyAttributes(def.key, key, true);
  return { key, parts: keyParts(def.key, key)! };
}

/** An `Item` parameter: valid values, the key present and typed, index keys typed, within 400 KB. */
export function readItem(def: TableDefinition, raw: unknown): ItemKey & { item: AttributeMap } {
  const map = asMap(raw);
  if (map === undefined) throw serialization('Unexpected value type in payload');
  const item = validateMap(map);
  checkKeyAttributes(def.key, item, false);
  checkIndexAttributes(def, item);
  if (itemSize(item) > MAX_ITEM_SIZE) throw validation('Item size has exceeded the maximum allowed size');
  const key: AttributeMap = { [def.key.hash]: item[def.key.hash]! };
  if (def.key.range !== undefined) key[def.key.range] = item[def.key.range]!;
  return { item, key, parts: keyParts(def.key, item)! };
}

/** Picks the key attributes out of an item (for LastEvaluatedKey and stream Keys). */
export function keyOf(def: TableDefinition, item: AttributeMap, extra: (string | undefined)[] = []): AttributeMap {
  const out: AttributeMap = {};
  for (const name of [def.key.hash, def.key.range, ...extra]) {
    if (name !== undefined && item[name] !== undefined) out[name] = item[name]!;
  }
  return out;
}

/** "Can not use both expression and non-expression parameters in the same request". */
export function checkParameterStyles(input: Input, legacy: string[], expressions: string[]): void {
  const l = legacy.filter((k) => input[k] !== undefined && input[k] !== null);
  const e = expressions.filter((k) => input[k] !== undefined && input[k] !== null);
  if (l.length > 0 && e.length > 0) {
    throw validation(`Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${l.join(', ')}} Expression parameters: {${e.join(', ')}}`);
  }
}

/** The request's expression attributes, given which expressions it carries. */
export function expressionAttributes(input: Input, expressionKeys: string[], valueKeys: string[]): ExpressionAttributes {
  const present = (k: string) => typeof input[k] === 'string';
  // Operations without value-taking expressions (GetItem, BatchGetItem) have no such member: DynamoDB ignores it.
  if (valueKeys.length === 0) return ExpressionAttributes.from({ ExpressionAttributeNames: input['ExpressionAttributeNames'] }, expressionKeys.some(present), false, '');
  const usersText = valueKeys.length === 1 ? `${valueKeys[0]} is null` : `${valueKeys.slice(0, -1).join(', ')} and ${valueKeys[valueKeys.length - 1]} are null`;
  return ExpressionAttributes.from(input, expressionKeys.some(present), valueKeys.some(present), usersText);
}

export function condition(input: Input, attrs: ExpressionAttributes, key: 'ConditionExpression' | 'FilterExpression'): BoundCondition | undefined {
  const text = input[key];
  if (typeof text !== 'string') return undefined;
  return bindCondition(conditionExpression(text, key as ExpressionKind), attrs, key as ExpressionKind);
}

export function projection(input: Input, attrs: ExpressionAttributes): Projection | undefined {
  const text = input['ProjectionExpression'];
  if (typeof text === 'string') return new Projection(bindProjection(projectionExpression(text), attrs));
  const names = input['AttributesToGet'];
  if (Array.isArray(names)) {
    if (names.length === 0) throw validation('1 validation error detected: Value \'[]\' at \'attributesToGet\' failed to satisfy constraint: Member must have length greater than or equal to 1');
    return new Projection(names.map((n): Path => [String(n)]));
  }
  return undefined;
}

/** Common model checks of the single-item operations. */
export function checkCommon(v: Violations, input: Input): void {
  v.tableName(input['TableName']);
  v.enumValue(input['ReturnValues'], 'returnValues', RETURN_VALUES);
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', RETURN_CONSUMED);
  v.enumValue(input['ReturnItemCollectionMetrics'], 'returnItemCollectionMetrics', RETURN_METRICS);
  v.enumValue(input['ReturnValuesOnConditionCheckFailure'], 'returnValuesOnConditionCheckFailure', RETURN_ON_FAILURE);
}

/** ConsumedCapacity when asked (API Reference "ConsumedCapacity"): reads in 4 KB units, writes in 1 KB units. */
export function consumedCapacity(input: Input, def: TableDefinition, units: number, kind: 'read' | 'write'): Record<string, unknown> | undefined {
  const mode = input['ReturnConsumedCapacity'];
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return undefined;
  const field = kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits';
  const out: Record<string, unknown> = { TableName: def.name, CapacityUnits: units, [field]: units };
  if (mode === 'INDEXES') out['Table'] = { CapacityUnits: units, [field]: units };
  return out;
}

export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** A ValidationException raised while applying one transaction item becomes that item's cancellation reason. */
export function asReason(error: unknown): { Code: string; Message: string } {
  if (error instanceof AwsServiceError && error.code === 'ValidationException') return { Code: 'ValidationError', Message: error.message };
  throw error;
}
