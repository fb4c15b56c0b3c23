/**
 * Query and Scan (API Reference "Query", "Scan"): key ranges and hash-ordered scans are SQLite
 * index range scans; Limit counts items read before the filter, a page stops at 1 MB read, and
 * LastEvaluatedKey carries the table key (plus the index key when reading an index).
 */
import type { DynamoContext, Input } from '../context.js';
import { invalidParameter, validation, Violations } from '../errors.js';
import type { BoundCondition, BoundOperand } from '../expressions/ast.js';
import { conditionExpression } from '../expressions/cache.js';
import { evaluate } from '../expressions/evaluate.js';
import { bindKeyCondition, keyRange } from '../expressions/key-condition.js';
import { legacyFilter, legacyKeyConditions } from '../expressions/legacy.js';
import type { Projection } from '../expressions/projection.js';
import { encodeKey, keyParts, segmentRange } from '../keys.js';
import { projectIndexItem, type IndexDefinition, type TableDefinition } from '../schema.js';
import { itemSize, validateMap, type AttributeMap } from '../types.js';
import { asMap, checkParameterStyles, condition, consumedCapacity, expressionAttributes, keyOf, nowSeconds, projection, readUnits, requireTable } from './common.js';

/** A page reads at most 1 MB (API Reference "Query": "up to a maximum of 1 MB of data"). */
const PAGE_BYTES = 1024 * 1024;
const SELECT = ['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'] as const;
type Select = (typeof SELECT)[number];

function checkReadShape(v: Violations, input: Input): void {
  v.tableName(input['TableName']);
  v.enumValue(input['Select'], 'select', SELECT);
  v.minimum(input['Limit'], 'limit', 1);
  v.enumValue(input['ReturnConsumedCapacity'], 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
  v.enumValue(input['ConditionalOperator'], 'conditionalOperator', ['AND', 'OR']);
  if (input['IndexName'] !== undefined && input['IndexName'] !== null) {
    const name = String(input['IndexName']);
    if (name.length < 3) v.add(name, 'indexName', 'Member must have length greater than or equal to 3');
  }
}

function findIndex(def: TableDefinition, input: Input): IndexDefinition | undefined {
  const name = input['IndexName'];
  if (name === undefined || name === null) return undefined;
  const index = def.indexes.find((i) => i.name === name);
  if (index === undefined) throw validation(`The table does not have the specified index: ${String(name)}`);
  if (index.global && input['ConsistentRead'] === true) throw validation('Consistent reads are not supported on global secondary indexes');
  return index;
}

function resolveSelect(input: Input, index: IndexDefinition | undefined, proj: Projection | undefined): Select {
  const projectionParam = typeof input['ProjectionExpression'] === 'string' ? 'ProjectionExpression' : 'AttributesToGet';
  const select = (input['Select'] as Select | undefined) ?? (proj !== undefined ? 'SPECIFIC_ATTRIBUTES' : index !== undefined ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES');
  if (select === 'SPECIFIC_ATTRIBUTES' && proj === undefined) throw validation('Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES');
  if (select !== 'SPECIFIC_ATTRIBUTES' && proj !== undefined) throw validation(`Cannot specify the ${projectionParam} when choosing to get ${select}`);
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && index === undefined) throw validation('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  if (select === 'ALL_ATTRIBUTES' && index?.global === true && index.projectionType !== 'ALL') {
    throw invalidParameter(`Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`);
  }
  return select;
}

/** The ExclusiveStartKey as storage positions: table key parts, plus the index key parts first when reading an index. */
function startKey(def: TableDefinition, index: IndexDefinition | undefined, raw: unknown) {
  const map = asMap(raw);
  if (raw === undefined || raw === null) return undefined;
  const bad = () => validation('The provided starting key is invalid: The provided key element does not match the schema');
  if (map === undefined) throw bad();
  const esk = validateMap(map);
  const table = keyParts(def.key, esk);
  if (table === undefined) throw bad();
  if (index === undefined) return { table, index: undefined };
  const idx = keyParts(index.key, esk);
  if (idx === undefined) throw bad();
  return { table, index: idx };
}

interface Page {
  items: AttributeMap[];
  count: number;
  scanned: number;
  last: AttributeMap | undefined;
  bytes: number;
}

function readPage(rows: IterableIterator<{ item: string }>, def: TableDefinition, index: IndexDefinition | undefined, select: Select, filter: BoundCondition | undefined, proj: Projection | undefined, limit: number | undefined): Page {
  const page: Page = { items: [], count: 0, scanned: 0, last: undefined, bytes: 0 };
  // GSIs hold only projected attributes; an LSI read for ALL_ATTRIBUTES fetches the whole item.
  const projectView = index !== undefined && (index.global || select !== 'ALL_ATTRIBUTES');
  for (const row of rows) {
    const item = JSON.parse(row.item) as AttributeMap;
    page.scanned++;
    page.bytes += itemSize(item);
    page.last = item;
    const view = projectView ? projectIndexItem(def, index!, item) : item;
    if (filter === undefined || evaluate(filter, view)) {
      page.count++;
      if (select !== 'COUNT') page.items.push(proj === undefined ? view : proj.apply(view));
    }
    if (page.scanned === limit || page.bytes >= PAGE_BYTES) {
      rows.return?.();
      return page;
    }
  }
  page.last = undefined;
  return page;
}

function output(input: Input, def: TableDefinition, index: IndexDefinition | undefined, select: Select, page: Page): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (select !== 'COUNT') out['Items'] = page.items;
  out['Count'] = page.count;
  out['ScannedCount'] = page.scanned;
  if (page.last !== undefined) out['LastEvaluatedKey'] = keyOf(def, page.last, index === undefined ? [] : [index.key.hash, index.key.range]);
  const consumed = consumedCapacity(input, def, readUnits(page.bytes, input['ConsistentRead'] === true), 'read');
  if (consumed !== undefined) out['ConsumedCapacity'] = consumed;
  return out;
}

function operandPaths(op: BoundOperand, out: string[]): void {
  if (op.k === 'path' || op.k === 'size') out.push(String(op.path[0]));
}

/** Top-level attribute names a condition reads. */
function conditionNames(c: BoundCondition, out: string[] = []): string[] {
  switch (c.k) {
    case 'and':
    case 'or':
      conditionNames(c.a, out);
      conditionNames(c.b, out);
      break;
    case 'not':
      conditionNames(c.c, out);
      break;
    case 'exists':
    case 'not_exists':
    case 'type':
      out.push(String(c.path[0]));
      break;
    case 'cmp':
    case 'begins_with':
    case 'contains':
      operandPaths(c.a, out);
      operandPaths(c.b, out);
      break;
    case 'between':
      [c.v, c.low, c.high].forEach((o) => operandPaths(o, out));
      break;
    case 'in':
      [c.v, ...c.list].forEach((o) => operandPaths(o, out));
      break;
  }
  return out;
}

export function query(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  checkReadShape(v, input);
  v.throwIfAny();
  checkParameterStyles(input, ['KeyConditions', 'QueryFilter', 'ConditionalOperator', 'AttributesToGet'], ['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression']);
  const attrs = expressionAttributes(input, ['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression'], ['KeyConditionExpression', 'FilterExpression']);
  const def = requireTable(ctx, input['TableName']);
  const index = findIndex(def, input);
  const schema = index?.key ?? def.key;
  let range;
  if (typeof input['KeyConditionExpression'] === 'string') {
    range = bindKeyCondition(conditionExpression(input['KeyConditionExpression'], 'KeyConditionExpression'), attrs, schema);
  } else if (asMap(input['KeyConditions']) !== undefined) {
    range = keyRange(legacyKeyConditions(asMap(input['KeyConditions'])!), schema);
  } else {
    throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  }
  const filter = condition(input, attrs, 'FilterExpression') ?? legacyFilter(input['QueryFilter'], input['ConditionalOperator']);
  if (filter !== undefined) {
    // Developer Guide "Filter expressions for Query": key attributes belong in the key condition.
    const keyName = conditionNames(filter).find((n) => n === schema.hash || n === schema.range);
    if (keyName !== undefined) throw validation(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${keyName}`);
  }
  const proj = projection(input, attrs);
  attrs.assertAllUsed();
  const select = resolveSelect(input, index, proj);
  const start = startKey(def, index, input['ExclusiveStartKey']);
  const forward = input['ScanIndexForward'] !== false;
  const position = start === undefined ? undefined : index === undefined ? [start.table.sk] : [start.index!.sk, start.table.pk, start.table.sk];
  const rows = ctx.store.query(def, index, encodeKey(schema.hashType, range.hash), range.sort, forward, position, nowSeconds(ctx));
  const page = readPage(rows, def, index, select, filter, proj, typeof input['Limit'] === 'number' ? input['Limit'] : undefined);
  return output(input, def, index, select, page);
}

export function scan(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  checkReadShape(v, input);
  v.minimum(input['Segment'], 'segment', 0);
  v.maximum(input['Segment'], 'segment', 999999);
  v.minimum(input['TotalSegments'], 'totalSegments', 1);
  v.maximum(input['TotalSegments'], 'totalSegments', 1000000);
  v.throwIfAny();
  const segment = input['Segment'];
  const total = input['TotalSegments'];
  if (segment !== undefined && total === undefined) throw validation('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
  if (total !== undefined && segment === undefined) throw validation('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
  if (typeof segment === 'number' && typeof total === 'number' && segment >= total) {
    throw validation(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  checkParameterStyles(input, ['ScanFilter', 'ConditionalOperator', 'AttributesToGet'], ['FilterExpression', 'ProjectionExpression']);
  const attrs = expressionAttributes(input, ['FilterExpression', 'ProjectionExpression'], ['FilterExpression']);
  const def = requireTable(ctx, input['TableName']);
  const index = findIndex(def, input);
  const filter = condition(input, attrs, 'FilterExpression') ?? legacyFilter(input['ScanFilter'], input['ConditionalOperator']);
  const proj = projection(input, attrs);
  attrs.assertAllUsed();
  const select = resolveSelect(input, index, proj);
  const start = startKey(def, index, input['ExclusiveStartKey']);
  const position =
    start === undefined ? undefined : index === undefined ? [start.table.h, start.table.pk, start.table.sk] : [start.index!.h, start.index!.pk, start.index!.sk, start.table.pk, start.table.sk];
  const range = typeof segment === 'number' && typeof total === 'number' ? segmentRange(segment, total) : undefined;
  const rows = ctx.store.scan(def, index, range, position, nowSeconds(ctx));
  const page = readPage(rows, def, index, select, filter, proj, typeof input['Limit'] === 'number' ? input['Limit'] : undefined);
  return output(input, def, index, select, page);
}
