/**
 * PutItem, GetItem, UpdateItem and DeleteItem (API Reference pages of the same names). A write is
 * planned first (validation, expressions bound), then executed inside one SQLite transaction:
 * read the current item, check the condition, compute the new item, write item + index entries +
 * stream record, commit, answer. TransactWriteItems reuses the same plans.
 */
import type { DynamoContext, Input } from '../context.js';
import { conditionalCheckFailed, invalidParameter, validation, Violations } from '../errors.js';
import type { BoundCondition, BoundUpdate, Path } from '../expressions/ast.js';
import { bindUpdate } from '../expressions/bind.js';
import { updateExpression } from '../expressions/cache.js';
import { evaluate } from '../expressions/evaluate.js';
import { legacyAttributeUpdates, legacyExpected } from '../expressions/legacy.js';
import { Projection } from '../expressions/projection.js';
import { applyUpdate } from '../expressions/update.js';
import type { KeyParts } from '../keys.js';
import { checkIndexAttributes, type TableDefinition } from '../schema.js';
import { itemSize, type AttributeMap } from '../types.js';
import {
  checkCommon,
  checkParameterStyles,
  condition,
  consumedCapacity,
  expressionAttributes,
  MAX_ITEM_SIZE,
  nowSeconds,
  projection,
  readItem,
  readKey,
  readUnits,
  requireTable,
  writeUnits,
} from './common.js';

export interface WritePlan {
  def: TableDefinition;
  key: AttributeMap;
  parts: KeyParts;
  condition: BoundCondition | undefined;
  returnOldOnFailure: boolean;
  /** The item after the write, given the current one: undefined deletes, null leaves it as it is (ConditionCheck). */
  apply(old: AttributeMap | undefined): AttributeMap | undefined | null;
  /** Paths an update wrote, for UPDATED_OLD / UPDATED_NEW. */
  updatedPaths: Path[];
}

export interface WriteOutcome {
  old: AttributeMap | undefined;
  next: AttributeMap | undefined | null;
}

const CONDITION_STYLES = { legacy: ['Expected', 'ConditionalOperator'], expression: ['ConditionExpression'] };

function conditionOf(input: Input, attrs: ReturnType<typeof expressionAttributes>): BoundCondition | undefined {
  return condition(input, attrs, 'ConditionExpression') ?? legacyExpected(input['Expected'], input['ConditionalOperator']);
}

function onlyAllOldOrNone(input: Input): void {
  const rv = input['ReturnValues'];
  if (rv !== undefined && rv !== 'NONE' && rv !== 'ALL_OLD') throw validation('ReturnValues can only be ALL_OLD or NONE');
}

export function planPut(ctx: DynamoContext, input: Input): WritePlan {
  const v = new Violations();
  checkCommon(v, input);
  v.notNull(input['Item'], 'item');
  v.throwIfAny();
  onlyAllOldOrNone(input);
  checkParameterStyles(input, CONDITION_STYLES.legacy, CONDITION_STYLES.expression);
  const attrs = expressionAttributes(input, ['ConditionExpression'], ['ConditionExpression']);
  const def = requireTable(ctx, input['TableName']);
  const { item, key, parts } = readItem(def, input['Item']);
  const cond = conditionOf(input, attrs);
  attrs.assertAllUsed();
  return { def, key, parts, condition: cond, returnOldOnFailure: input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD', apply: () => item, updatedPaths: [] };
}

export function planDelete(ctx: DynamoContext, input: Input): WritePlan {
  const v = new Violations();
  checkCommon(v, input);
  v.notNull(input['Key'], 'key');
  v.throwIfAny();
  onlyAllOldOrNone(input);
  checkParameterStyles(input, CONDITION_STYLES.legacy, CONDITION_STYLES.expression);
  const attrs = expressionAttributes(input, ['ConditionExpression'], ['ConditionExpression']);
  const def = requireTable(ctx, input['TableName']);
  const { key, parts } = readKey(def, input['Key']);
  const cond = conditionOf(input, attrs);
  attrs.assertAllUsed();
  return { def, key, parts, condition: cond, returnOldOnFailure: input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD', apply: () => undefined, updatedPaths: [] };
}

export function planUpdate(ctx: DynamoContext, input: Input): WritePlan {
  const v = new Violations();
  checkCommon(v, input);
  v.notNull(input['Key'], 'key');
  v.throwIfAny();
  checkParameterStyles(input, ['AttributeUpdates', ...CONDITION_STYLES.legacy], ['UpdateExpression', ...CONDITION_STYLES.expression]);
  const attrs = expressionAttributes(input, ['UpdateExpression', 'ConditionExpression'], ['UpdateExpression', 'ConditionExpression']);
  const def = requireTable(ctx, input['TableName']);
  const { key, parts } = readKey(def, input['Key']);
  const keyNames = [def.key.hash, ...(def.key.range === undefined ? [] : [def.key.range])];
  let update: BoundUpdate = { set: [], remove: [], add: [], delete: [] };
  if (typeof input['UpdateExpression'] === 'string') {
    update = bindUpdate(updateExpression(input['UpdateExpression']), attrs, keyNames);
  } else if (input['AttributeUpdates'] !== undefined && input['AttributeUpdates'] !== null) {
    update = legacyAttributeUpdates(input['AttributeUpdates'] as Record<string, unknown>);
    for (const name of [...update.set.map((a) => a.path), ...update.remove, ...update.add.map((a) => a.path), ...update.delete.map((a) => a.path)]) {
      if (keyNames.includes(name[0] as string)) throw invalidParameter(`Cannot update attribute ${String(name[0])}. This attribute is part of the key`);
    }
  }
  const cond = conditionOf(input, attrs);
  attrs.assertAllUsed();
  const plan: WritePlan = {
    def,
    key,
    parts,
    condition: cond,
    returnOldOnFailure: input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD',
    updatedPaths: [],
    apply(old) {
      const result = applyUpdate(old ?? key, update);
      if (itemSize(result.item) > MAX_ITEM_SIZE) throw validation('Item size to update has exceeded the maximum allowed size');
      checkIndexAttributes(def, result.item);
      plan.updatedPaths = result.paths;
      return result.item;
    },
  };
  return plan;
}

/** Checks the condition and writes, inside the caller's transaction. */
export function executePlan(ctx: DynamoContext, plan: WritePlan, now: number): WriteOutcome {
  const old = ctx.store.current(plan.def, plan.parts, now);
  if (plan.condition !== undefined && !evaluate(plan.condition, old ?? {})) {
    throw conditionalCheckFailed(plan.returnOldOnFailure ? old : undefined);
  }
  const next = plan.apply(old);
  if (next !== null) ctx.store.write(plan.def, plan.parts, old, next, now);
  return { old, next };
}

function execute(ctx: DynamoContext, plan: WritePlan): WriteOutcome {
  const now = nowSeconds(ctx);
  return ctx.store.transaction(() => executePlan(ctx, plan, now));
}

function writeOutput(input: Input, plan: WritePlan, outcome: WriteOutcome, attributes: AttributeMap | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attributes !== undefined) out['Attributes'] = attributes;
  const size = Math.max(outcome.old === undefined ? 0 : itemSize(outcome.old), outcome.next ? itemSize(outcome.next) : 0);
  const consumed = consumedCapacity(input, plan.def, writeUnits(size), 'write');
  if (consumed !== undefined) out['ConsumedCapacity'] = consumed;
  return out;
}

export function putItem(ctx: DynamoContext, input: Input): unknown {
  const plan = planPut(ctx, input);
  const outcome = execute(ctx, plan);
  return writeOutput(input, plan, outcome, input['ReturnValues'] === 'ALL_OLD' ? outcome.old : undefined);
}

export function deleteItem(ctx: DynamoContext, input: Input): unknown {
  const plan = planDelete(ctx, input);
  const outcome = execute(ctx, plan);
  return writeOutput(input, plan, outcome, input['ReturnValues'] === 'ALL_OLD' ? outcome.old : undefined);
}

export function updateItem(ctx: DynamoContext, input: Input): unknown {
  const plan = planUpdate(ctx, input);
  const outcome = execute(ctx, plan);
  const next = outcome.next ?? undefined;
  let attributes: AttributeMap | undefined;
  switch (input['ReturnValues']) {
    case 'ALL_OLD':
      attributes = outcome.old;
      break;
    case 'ALL_NEW':
      attributes = next;
      break;
    case 'UPDATED_OLD':
      attributes = outcome.old === undefined ? undefined : new Projection(plan.updatedPaths).apply(outcome.old);
      break;
    case 'UPDATED_NEW':
      attributes = next === undefined ? undefined : new Projection(plan.updatedPaths).apply(next);
      break;
  }
  if (attributes !== undefined && Object.keys(attributes).length === 0) attributes = undefined;
  return writeOutput(input, plan, outcome, attributes);
}

export function getItem(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.tableName(input['TableName']);
  v.notNull(input['Key'], 'key');
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
  v.throwIfAny();
  checkParameterStyles(input, ['AttributesToGet'], ['ProjectionExpression']);
  const attrs = expressionAttributes(input, ['ProjectionExpression'], []);
  const def = requireTable(ctx, input['TableName']);
  const { parts } = readKey(def, input['Key']);
  const proj = projection(input, attrs);
  attrs.assertAllUsed();
  const item = ctx.store.getItem(def, parts, nowSeconds(ctx));
  const out: Record<string, unknown> = {};
  if (item !== undefined) out['Item'] = proj === undefined ? item : proj.apply(item);
  const consumed = consumedCapacity(input, def, readUnits(item === undefined ? 0 : itemSize(item), input['ConsistentRead'] === true), 'read');
  if (consumed !== undefined) out['ConsumedCapacity'] = consumed;
  return out;
}
