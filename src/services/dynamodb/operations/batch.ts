/**
 * BatchGetItem and BatchWriteItem (API Reference pages of the same names). Every request is
 * processed, so UnprocessedKeys / UnprocessedItems are always empty; a BatchWriteItem commits in
 * one SQLite transaction.
 */
import type { DynamoContext, Input } from '../context.js';
import { validation, Violations } from '../errors.js';
import { consumedCapacity, expressionAttributes, nowSeconds, projection, readItem, readKey, readUnits, requireTable, writeUnits, asMap } from './common.js';
import { itemSize, type AttributeMap } from '../types.js';
import type { KeyParts } from '../keys.js';
import type { TableDefinition } from '../schema.js';

/** 100 keys per BatchGetItem, 25 requests per BatchWriteItem (API Reference). */
const MAX_GET = 100;
const MAX_WRITE = 25;

const identity = (def: TableDefinition, parts: KeyParts) => `${def.id}:${parts.pk.toString('hex')}:${parts.sk.toString('hex')}`;

export function batchGetItem(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.notNull(input['RequestItems'], 'requestItems');
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
  v.throwIfAny();
  const requests = asMap(input['RequestItems']) ?? {};
  const names = Object.keys(requests);
  if (names.length === 0) {
    throw validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  let total = 0;
  for (const name of names) total += (asMap(requests[name])?.['Keys'] as unknown[] | undefined)?.length ?? 0;
  if (total > MAX_GET) throw validation('Too many items requested for the BatchGetItem call');
  const now = nowSeconds(ctx);
  const responses: Record<string, AttributeMap[]> = {};
  const consumed: Record<string, unknown>[] = [];
  for (const name of names) {
    const request = asMap(requests[name]) ?? {};
    const keys = Array.isArray(request['Keys']) ? request['Keys'] : [];
    if (keys.length === 0) {
      throw validation(`1 validation error detected: Value null at 'requestItems.${name}.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    const def = requireTable(ctx, name);
    const attrs = expressionAttributes(request, ['ProjectionExpression'], []);
    const proj = projection(request, attrs);
    attrs.assertAllUsed();
    const seen = new Set<string>();
    const items: AttributeMap[] = [];
    let bytes = 0;
    for (const raw of keys) {
      const { parts } = readKey(def, raw);
      const id = identity(def, parts);
      if (seen.has(id)) throw validation('Provided list of item keys contains duplicates');
      seen.add(id);
      const item = ctx.store.getItem(def, parts, now);
      if (item === undefined) continue;
      bytes += itemSize(item);
      items.push(proj === undefined ? item : proj.apply(item));
    }
    responses[name] = items;
    const c = consumedCapacity(input, def, readUnits(bytes, request['ConsistentRead'] === true), 'read');
    if (c !== undefined) consumed.push(c);
  }
  const out: Record<string, unknown> = { Responses: responses, UnprocessedKeys: {} };
  if (consumed.length > 0) out['ConsumedCapacity'] = consumed;
  return out;
}

export function batchWriteItem(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.notNull(input['RequestItems'], 'requestItems');
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
  v.enumValue(input['ReturnItemCollectionMetrics'], 'returnItemCollectionMetrics', ['SIZE', 'NONE']);
  v.throwIfAny();
  const requests = asMap(input['RequestItems']) ?? {};
  const names = Object.keys(requests);
  let total = 0;
  for (const name of names) total += Array.isArray(requests[name]) ? (requests[name] as unknown[]).length : 0;
  if (names.length === 0 || total > MAX_WRITE || names.some((n) => !Array.isArray(requests[n]) || (requests[n] as unknown[]).length === 0)) {
    throw validation(
      `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_WRITE}, Member must have length greater than or equal to 1]`,
    );
  }
  const writes: { def: TableDefinition; parts: KeyParts; item: AttributeMap | undefined }[] = [];
  for (const name of names) {
    const def = requireTable(ctx, name);
    const seen = new Set<string>();
    for (const raw of requests[name] as unknown[]) {
      const request = asMap(raw) ?? {};
      const put = asMap(request['PutRequest']);
      const del = asMap(request['DeleteRequest']);
      if ((put === undefined) === (del === undefined)) throw validation('A write request must contain exactly one of PutRequest or DeleteRequest');
      const entry = put !== undefined ? readItem(def, put['Item']) : { ...readKey(def, del!['Key']), item: undefined };
      const id = identity(def, entry.parts);
      if (seen.has(id)) throw validation('Provided list of item keys contains duplicates');
      seen.add(id);
      writes.push({ def, parts: entry.parts, item: entry.item });
    }
  }
  const now = nowSeconds(ctx);
  const units = new Map<TableDefinition, number>();
  ctx.store.transaction(() => {
    for (const w of writes) {
      const old = ctx.store.current(w.def, w.parts, now);
      ctx.store.write(w.def, w.parts, old, w.item, now);
      units.set(w.def, (units.get(w.def) ?? 0) + writeUnits(Math.max(old === undefined ? 0 : itemSize(old), w.item === undefined ? 0 : itemSize(w.item))));
    }
  });
  const out: Record<string, unknown> = { UnprocessedItems: {} };
  const consumed = [...units].map(([def, n]) => consumedCapacity(input, def, n, 'write')).filter((c) => c !== undefined);
  if (consumed.length > 0) out['ConsumedCapacity'] = consumed;
  return out;
}
