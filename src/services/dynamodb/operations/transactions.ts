/**
 * TransactWriteItems and TransactGetItems (API Reference pages of the same names). All writes of a
 * transaction happen in one SQLite transaction: every condition is checked first, and if any
 * fails nothing is written and TransactionCanceledException lists one reason per item, in order.
 * A ClientRequestToken makes the call idempotent for 10 minutes.
 */
import { createHash } from 'node:crypto';
import { AwsServiceError } from '../../protocol/errors.js';
import type { DynamoContext, Input } from '../context.js';
import { validation, Violations } from '../errors.js';
import { evaluate } from '../expressions/evaluate.js';
import { asMap, asReason, consumedCapacity, expressionAttributes, nowSeconds, projection, readKey, readUnits, requireTable, writeUnits } from './common.js';
import { planDelete, planPut, planUpdate, type WritePlan } from './items.js';
import { itemSize, type AttributeMap } from '../types.js';

const MAX_ITEMS = 100;
const ACTIONS = ['ConditionCheck', 'Put', 'Delete', 'Update'] as const;

function checkList(input: Input): unknown[] {
  const list = input['TransactItems'];
  const v = new Violations();
  if (v.notNull(list, 'transactItems') && Array.isArray(list)) {
    if (list.length < 1) v.add(list, 'transactItems', 'Member must have length greater than or equal to 1');
    if (list.length > MAX_ITEMS) v.add('[...]', 'transactItems', `Member must have length less than or equal to ${MAX_ITEMS}`);
  }
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
  v.throwIfAny();
  return list as unknown[];
}

function plan(ctx: DynamoContext, raw: unknown, position: number): WritePlan {
  const entry = asMap(raw) ?? {};
  const present = ACTIONS.filter((a) => entry[a] !== undefined && entry[a] !== null);
  if (present.length !== 1) throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
  const action = present[0]!;
  const body = asMap(entry[action]) ?? {};
  switch (action) {
    case 'Put':
      return planPut(ctx, body);
    case 'Update':
      return planUpdate(ctx, body);
    case 'Delete':
      return planDelete(ctx, body);
    case 'ConditionCheck': {
      if (typeof body['ConditionExpression'] !== 'string') {
        throw validation(`1 validation error detected: Value null at 'transactItems.${position}.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null`);
      }
      const check = planDelete(ctx, body);
      return { ...check, apply: () => null };
    }
  }
}

export function transactWriteItems(ctx: DynamoContext, input: Input): unknown {
  const list = checkList(input);
  const now = nowSeconds(ctx);
  const token = typeof input['ClientRequestToken'] === 'string' ? input['ClientRequestToken'] : undefined;
  const hash = createHash('sha256').update(JSON.stringify(list)).digest('hex');
  if (token !== undefined) {
    const seen = ctx.store.token(token, now);
    if (seen !== undefined) {
      if (seen.hash !== hash) {
        throw new AwsServiceError('IdempotentParameterMismatchException', 'DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.');
      }
      return JSON.parse(seen.response) as unknown;
    }
  }
  const plans = list.map((raw, i) => plan(ctx, raw, i + 1));
  const ids = new Set<string>();
  for (const p of plans) {
    const id = `${p.def.id}:${p.parts.pk.toString('hex')}:${p.parts.sk.toString('hex')}`;
    if (ids.has(id)) throw validation('Transaction request cannot include multiple operations on one item');
    ids.add(id);
  }
  const units = new Map<string, number>();
  const response = ctx.store.transaction(() => {
    const reasons: Record<string, unknown>[] = [];
    const results: { plan: WritePlan; old: AttributeMap | undefined; next: AttributeMap | undefined | null }[] = [];
    for (const p of plans) {
      const old = ctx.store.current(p.def, p.parts, now);
      if (p.condition !== undefined && !evaluate(p.condition, old ?? {})) {
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(p.returnOldOnFailure && old !== undefined ? { Item: old } : {}) });
        continue;
      }
      try {
        results.push({ plan: p, old, next: p.apply(old) });
        reasons.push({ Code: 'None' });
      } catch (error) {
        reasons.push(asReason(error));
      }
    }
    if (reasons.some((r) => r['Code'] !== 'None')) {
      const codes = reasons.map((r) => String(r['Code'])).join(', ');
      throw new AwsServiceError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, 400, {
        CancellationReasons: reasons,
      });
    }
    for (const r of results) {
      if (r.next !== null) ctx.store.write(r.plan.def, r.plan.parts, r.old, r.next, now);
      const size = Math.max(r.old === undefined ? 0 : itemSize(r.old), r.next ? itemSize(r.next) : 0);
      // Transactional writes cost two units per KB (Developer Guide "Capacity for transactions").
      units.set(r.plan.def.name, (units.get(r.plan.def.name) ?? 0) + 2 * writeUnits(size));
    }
    const out: Record<string, unknown> = {};
    const consumed = [...units].map(([name, n]) => consumedCapacity(input, ctx.store.table(name)!, n, 'write')).filter((c) => c !== undefined);
    if (consumed.length > 0) out['ConsumedCapacity'] = consumed;
    if (token !== undefined) ctx.store.saveToken(token, hash, JSON.stringify(out), now);
    return out;
  });
  return response;
}

export function transactGetItems(ctx: DynamoContext, input: Input): unknown {
  const list = checkList(input);
  const now = nowSeconds(ctx);
  const gets = list.map((raw, i) => {
    const get = asMap(asMap(raw)?.['Get']);
    if (get === undefined) throw validation(`1 validation error detected: Value null at 'transactItems.${i + 1}.member.get' failed to satisfy constraint: Member must not be null`);
    const v = new Violations();
    v.tableName(get['TableName']);
    v.notNull(get['Key'], 'key');
    v.throwIfAny();
    const def = requireTable(ctx, get['TableName']);
    const attrs = expressionAttributes(get, ['ProjectionExpression'], []);
    const proj = projection(get, attrs);
    attrs.assertAllUsed();
    return { def, parts: readKey(def, get['Key']).parts, proj };
  });
  const units = new Map<string, number>();
  // The reads run back to back in one synchronous step: no write can come between them.
  const responses = gets.map(({ def, parts, proj }) => {
    const item = ctx.store.getItem(def, parts, now);
    units.set(def.name, (units.get(def.name) ?? 0) + 2 * readUnits(item === undefined ? 0 : itemSize(item), true));
    if (item === undefined) return {};
    return { Item: proj === undefined ? item : proj.apply(item) };
  });
  const out: Record<string, unknown> = { Responses: responses };
  const consumed = [...units].map(([name, n]) => consumedCapacity(input, ctx.store.table(name)!, n, 'read')).filter((c) => c !== undefined);
  if (consumed.length > 0) out['ConsumedCapacity'] = consumed;
  return out;
}
