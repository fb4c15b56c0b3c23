/**
 * Table control plane (API Reference "CreateTable", "DescribeTable", "ListTables", "DeleteTable",
 * "UpdateTable", "UpdateTimeToLive", "DescribeTimeToLive", tagging). Tables are ACTIVE as soon as
 * they are created; adding a global secondary index back-fills it in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../../protocol/errors.js';
import type { DynamoContext, Input } from '../context.js';
import { invalidParameter, resourceInUse, resourceNotFound, tableNotFound, validation, Violations } from '../errors.js';
import {
  attributeTypes,
  checkIndexShape,
  describeTable as describe,
  readCreateTable,
  readIndex,
  STREAM_VIEW_TYPES,
  type StreamViewType,
  type TableDefinition,
} from '../schema.js';
import type { KeyType } from '../types.js';
import { asMap, nowSeconds } from './common.js';

export function tableArn(ctx: DynamoContext, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;
}

/** Stream labels are the creation time, ISO 8601 without the zone (API Reference "TableDescription" -> LatestStreamLabel). */
function streamLabel(ctx: DynamoContext, def: TableDefinition): string {
  let ms = ctx.now();
  for (;;) {
    const label = new Date(ms).toISOString().replace('Z', '');
    if (ctx.store.streamLog.byArn(`${def.arn}/stream/${label}`) === undefined) return label;
    ms++;
  }
}

function enableStream(ctx: DynamoContext, def: TableDefinition, viewType: StreamViewType, label?: string): void {
  const state = ctx.store.streamLog.create(def, viewType, label ?? streamLabel(ctx, def), nowSeconds(ctx));
  def.stream = state;
  def.latestStream = { arn: state.arn, label: state.label };
}

export interface CreateOptions {
  /** Fixed stream label (template tables match the StreamArn the template resolved). */
  streamLabel?: string;
}

export function createTable(ctx: DynamoContext, input: Input, options: CreateOptions = {}): unknown {
  const spec = readCreateTable(input);
  if (ctx.store.table(spec.name) !== undefined) throw resourceInUse(`Table already exists: ${spec.name}`);
  const def = ctx.store.transaction(() => {
    const created = ctx.store.insertTable({
      name: spec.name,
      arn: tableArn(ctx, spec.name),
      tableId: randomUUID(),
      created: Math.floor(ctx.now()) / 1000,
      key: spec.key,
      attributeDefinitions: spec.attributeDefinitions,
      billingMode: spec.billingMode,
      throughput: spec.throughput,
      indexes: spec.indexes,
      tags: spec.tags,
      deletionProtection: spec.deletionProtection,
      tableClass: spec.tableClass,
    });
    if (spec.streamViewType !== undefined) {
      enableStream(ctx, created, spec.streamViewType, options.streamLabel);
      ctx.store.saveTable(created);
    }
    return created;
  });
  return { TableDescription: describe(def, ctx.store.stats(def)) };
}

function tableNameOnly(input: Input): string {
  const v = new Violations();
  v.tableName(input['TableName']);
  v.throwIfAny();
  return String(input['TableName']);
}

function existing(ctx: DynamoContext, name: string): TableDefinition {
  const def = ctx.store.table(name);
  if (def === undefined) throw tableNotFound(name);
  return def;
}

export function describeTable(ctx: DynamoContext, input: Input): unknown {
  const def = existing(ctx, tableNameOnly(input));
  return { Table: describe(def, ctx.store.stats(def)) };
}

export function listTables(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.minimum(input['Limit'], 'limit', 1);
  v.maximum(input['Limit'], 'limit', 100);
  if (input['ExclusiveStartTableName'] !== undefined) v.tableName(input['ExclusiveStartTableName'], 'exclusiveStartTableName');
  v.throwIfAny();
  const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 100;
  const after = typeof input['ExclusiveStartTableName'] === 'string' ? input['ExclusiveStartTableName'] : undefined;
  const names = ctx.store.tableNames().filter((n) => after === undefined || n > after);
  const page = names.slice(0, limit);
  const out: Record<string, unknown> = { TableNames: page };
  if (names.length > limit) out['LastEvaluatedTableName'] = page[page.length - 1];
  return out;
}

export function deleteTable(ctx: DynamoContext, input: Input): unknown {
  const def = existing(ctx, tableNameOnly(input));
  if (def.deletionProtection) {
    throw validation('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
  }
  const description = describe(def, ctx.store.stats(def), 'DELETING');
  ctx.store.transaction(() => ctx.store.dropTable(def));
  return { TableDescription: description };
}

export function updateTable(ctx: DynamoContext, input: Input): unknown {
  const name = tableNameOnly(input);
  const v = new Violations();
  v.enumValue(input['BillingMode'], 'billingMode', ['PROVISIONED', 'PAY_PER_REQUEST']);
  const updates = Array.isArray(input['GlobalSecondaryIndexUpdates']) ? (input['GlobalSecondaryIndexUpdates'] as Record<string, unknown>[]) : [];
  updates.forEach((u, i) => {
    const create = asMap(u['Create']);
    if (create !== undefined) checkIndexShape(v, create, `globalSecondaryIndexUpdates.${i + 1}.member.create`);
  });
  const stream = asMap(input['StreamSpecification']);
  if (stream !== undefined) v.enumValue(stream['StreamViewType'], 'streamSpecification.streamViewType', STREAM_VIEW_TYPES);
  v.throwIfAny();
  const current = existing(ctx, name);
  const known = ['BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexUpdates', 'StreamSpecification', 'DeletionProtectionEnabled', 'TableClass', 'SSESpecification', 'ReplicaUpdates'];
  if (!known.some((k) => input[k] !== undefined && input[k] !== null)) {
    throw validation('At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required');
  }
  // Work on a copy so a rejected update leaves the cached definition untouched.
  const def = JSON.parse(JSON.stringify(current)) as TableDefinition;
  ctx.store.transaction(() => {
    if (input['BillingMode'] !== undefined) def.billingMode = input['BillingMode'] as TableDefinition['billingMode'];
    const throughput = asMap(input['ProvisionedThroughput']);
    if (throughput !== undefined) {
      if (def.billingMode === 'PAY_PER_REQUEST') {
        throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
      }
      def.throughput = { read: Number(throughput['ReadCapacityUnits'] ?? 0), write: Number(throughput['WriteCapacityUnits'] ?? 0) };
    }
    if (typeof input['DeletionProtectionEnabled'] === 'boolean') def.deletionProtection = input['DeletionProtectionEnabled'];
    if (typeof input['TableClass'] === 'string') def.tableClass = input['TableClass'];
    const newDefinitions = Array.isArray(input['AttributeDefinitions'])
      ? (input['AttributeDefinitions'] as Record<string, unknown>[]).map((d) => ({ AttributeName: String(d['AttributeName']), AttributeType: d['AttributeType'] as KeyType }))
      : [];
    const types = attributeTypes([...def.attributeDefinitions, ...newDefinitions]);
    for (const update of updates) {
      const create = asMap(update['Create']);
      const del = asMap(update['Delete']);
      const change = asMap(update['Update']);
      if (create !== undefined) {
        const index = readIndex(create, true, types, def.billingMode, def.key);
        if (def.indexes.some((i) => i.name === index.name)) throw invalidParameter('Attempting to create an index which already exists');
        def.indexes.push(index);
        ctx.store.backfillIndex(def, index);
      } else if (del !== undefined) {
        const indexName = String(del['IndexName']);
        if (!def.indexes.some((i) => i.global && i.name === indexName)) throw resourceNotFound(`Requested resource not found: Index: ${indexName} not found`);
        def.indexes = def.indexes.filter((i) => i.name !== indexName);
        ctx.store.dropIndex(def, indexName);
      } else if (change !== undefined) {
        const index = def.indexes.find((i) => i.global && i.name === change['IndexName']);
        if (index === undefined) throw resourceNotFound(`Requested resource not found: Index: ${String(change['IndexName'])} not found`);
        const t = asMap(change['ProvisionedThroughput']);
        if (t !== undefined) index.throughput = { read: Number(t['ReadCapacityUnits'] ?? 0), write: Number(t['WriteCapacityUnits'] ?? 0) };
      }
    }
    // Keep AttributeDefinitions to the attributes some key still uses, as DynamoDB reports them.
    const used = new Set([def.key.hash, def.key.range, ...def.indexes.flatMap((i) => [i.key.hash, i.key.range])]);
    def.attributeDefinitions = [...types].filter(([n]) => used.has(n)).map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
    if (stream !== undefined) {
      const enabled = stream['StreamEnabled'] === true;
      if (enabled) {
        if (def.stream !== undefined) throw validation(`Table already has an enabled stream: TableName: ${def.name}`);
        if (stream['StreamViewType'] === undefined) throw invalidParameter('You must specify a StreamViewType when enabling a stream');
        enableStream(ctx, def, stream['StreamViewType'] as StreamViewType);
      } else {
        if (def.stream === undefined) throw validation(`Table already has no stream enabled: TableName: ${def.name}`);
        ctx.store.streamLog.close(def.stream.id);
        delete def.stream;
      }
    }
    ctx.store.saveTable(def);
  });
  return { TableDescription: describe(def, ctx.store.stats(def), 'ACTIVE') };
}

export function updateTimeToLive(ctx: DynamoContext, input: Input): unknown {
  const name = tableNameOnly(input);
  const spec = asMap(input['TimeToLiveSpecification']);
  const v = new Violations();
  if (v.notNull(spec, 'timeToLiveSpecification')) {
    v.notNull(spec!['AttributeName'], 'timeToLiveSpecification.attributeName');
    v.notNull(spec!['Enabled'], 'timeToLiveSpecification.enabled');
  }
  v.throwIfAny();
  const current = existing(ctx, name);
  const enabled = spec!['Enabled'] === true;
  const attribute = String(spec!['AttributeName']);
  if (enabled && current.ttl?.enabled === true) throw validation('TimeToLive is already enabled');
  if (!enabled && current.ttl?.enabled !== true) throw validation('TimeToLive is already disabled');
  const def = { ...current, ttl: { attribute, enabled } };
  ctx.store.transaction(() => {
    ctx.store.saveTable(def);
    ctx.store.refreshExpiry(def);
  });
  return { TimeToLiveSpecification: { Enabled: enabled, AttributeName: attribute } };
}

export function describeTimeToLive(ctx: DynamoContext, input: Input): unknown {
  const def = existing(ctx, tableNameOnly(input));
  if (def.ttl?.enabled !== true) return { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } };
  return { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: def.ttl.attribute } };
}

function byArn(ctx: DynamoContext, arn: unknown): TableDefinition {
  const text = String(arn ?? '');
  const name = text.slice(text.indexOf(':table/') + 7).split('/')[0] ?? '';
  const def = ctx.store.table(name);
  if (def === undefined || def.arn !== text) throw resourceNotFound(`Requested resource not found: ResourcArn: ${text} not found`);
  return def;
}

export function tagResource(ctx: DynamoContext, input: Input): unknown {
  const def = byArn(ctx, input['ResourceArn']);
  const tags = (Array.isArray(input['Tags']) ? (input['Tags'] as Record<string, unknown>[]) : []).map((t) => ({ Key: String(t['Key']), Value: String(t['Value'] ?? '') }));
  const merged = new Map(def.tags.map((t) => [t.Key, t.Value]));
  for (const t of tags) merged.set(t.Key, t.Value);
  ctx.store.saveTable({ ...def, tags: [...merged].map(([Key, Value]) => ({ Key, Value })) });
  return {};
}

export function untagResource(ctx: DynamoContext, input: Input): unknown {
  const def = byArn(ctx, input['ResourceArn']);
  const drop = new Set((Array.isArray(input['TagKeys']) ? input['TagKeys'] : []).map(String));
  ctx.store.saveTable({ ...def, tags: def.tags.filter((t) => !drop.has(t.Key)) });
  return {};
}

export function listTagsOfResource(ctx: DynamoContext, input: Input): unknown {
  return { Tags: byArn(ctx, input['ResourceArn']).tags };
}

/** Default account quotas (Developer Guide "Service, account, and table quotas"). */
export function describeLimits(): unknown {
  return { AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000, TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000 };
}

export function describeContinuousBackups(ctx: DynamoContext, input: Input): unknown {
  const name = tableNameOnly(input);
  if (ctx.store.table(name) === undefined) throw new AwsServiceError('TableNotFoundException', `Table not found: ${name}`);
  return { ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } } };
}
