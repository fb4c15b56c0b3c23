/**
 * Table definitions: CreateTable / UpdateTable input checked with DynamoDB's messages, and the
 * TableDescription DynamoDB answers with (API Reference "CreateTable", "TableDescription").
 */
import { invalidParameter, validation, Violations } from './errors.js';
import { typeOf, type AttributeMap, type AttributeValue, type KeyType } from './types.js';

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
export type BillingMode = 'PROVISIONED' | 'PAY_PER_REQUEST';

export const STREAM_VIEW_TYPES: readonly StreamViewType[] = ['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'];
const KEY_TYPES = ['HASH', 'RANGE'] as const;
const ATTRIBUTE_TYPES = ['B', 'N', 'S'] as const;
const PROJECTION_TYPES: readonly ProjectionType[] = ['ALL', 'KEYS_ONLY', 'INCLUDE'];
const BILLING_MODES: readonly BillingMode[] = ['PROVISIONED', 'PAY_PER_REQUEST'];

export interface KeySchema {
  hash: string;
  hashType: KeyType;
  range?: string;
  rangeType?: KeyType;
}

export interface Throughput {
  read: number;
  write: number;
}

export interface IndexDefinition {
  name: string;
  global: boolean;
  key: KeySchema;
  projectionType: ProjectionType;
  nonKeyAttributes: string[];
  throughput?: Throughput;
}

export interface StreamState {
  /** Row id of the stream in storage. */
  id: number;
  arn: string;
  label: string;
  viewType: StreamViewType;
}

export interface TableDefinition {
  /** Row id of the table in storage (a re-created table gets a new one). */
  id: number;
  name: string;
  arn: string;
  tableId: string;
  created: number;
  key: KeySchema;
  attributeDefinitions: { AttributeName: string; AttributeType: KeyType }[];
  billingMode: BillingMode;
  throughput: Throughput;
  indexes: IndexDefinition[];
  /** The enabled stream, if any. */
  stream?: StreamState;
  /** The newest stream, enabled or not: DescribeTable keeps reporting it. */
  latestStream?: { arn: string; label: string };
  ttl?: { attribute: string; enabled: boolean };
  tags: { Key: string; Value: string }[];
  deletionProtection: boolean;
  tableClass: string;
}

/** What CreateTable asks for, validated. */
export interface TableSpec {
  name: string;
  key: KeySchema;
  attributeDefinitions: { AttributeName: string; AttributeType: KeyType }[];
  billingMode: BillingMode;
  throughput: Throughput;
  indexes: IndexDefinition[];
  streamViewType?: StreamViewType;
  tags: { Key: string; Value: string }[];
  deletionProtection: boolean;
  tableClass: string;
}

type Raw = Record<string, unknown>;
const asArray = (v: unknown): Raw[] | undefined => (Array.isArray(v) ? (v as Raw[]) : undefined);
const asRecord = (v: unknown): Raw | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined);

function checkKeySchemaShape(v: Violations, raw: unknown, member: string): void {
  if (!v.notNull(raw, member)) return;
  const list = asArray(raw) ?? [];
  if (list.length < 1) v.add(raw, member, 'Member must have length greater than or equal to 1');
  if (list.length > 2) v.add(raw, member, 'Member must have length less than or equal to 2');
  list.forEach((k, i) => {
    v.notNull(k['AttributeName'], `${member}.${i + 1}.member.attributeName`);
    if (v.notNull(k['KeyType'], `${member}.${i + 1}.member.keyType`)) v.enumValue(k['KeyType'], `${member}.${i + 1}.member.keyType`, KEY_TYPES);
  });
}

function readThroughput(raw: unknown): Throughput | undefined {
  const r = asRecord(raw);
  if (r === undefined) return undefined;
  return { read: Number(r['ReadCapacityUnits'] ?? 0), write: Number(r['WriteCapacityUnits'] ?? 0) };
}

/** Key schema of a table or an index, with its attributes' types from AttributeDefinitions. */
function readKeySchema(raw: Raw[], types: Map<string, KeyType>, forIndex: string | undefined): KeySchema {
  const [first, second] = raw;
  if (first?.['KeyType'] !== 'HASH') throw validation('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (second !== undefined && second['KeyType'] !== 'RANGE') throw validation('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  const hash = String(first['AttributeName']);
  const range = second === undefined ? undefined : String(second['AttributeName']);
  if (hash === range) throw validation('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  const missing = [hash, ...(range === undefined ? [] : [range])].filter((n) => !types.has(n));
  if (missing.length > 0) {
    if (forIndex === undefined) throw validation('Invalid KeySchema: Some index key attribute have no definition');
    throw invalidParameter(`Some index key attributes are not defined in AttributeDefinitions. Keys: [${missing.join(', ')}], AttributeDefinitions: [${[...types.keys()].join(', ')}]`);
  }
  return range === undefined ? { hash, hashType: types.get(hash)! } : { hash, hashType: types.get(hash)!, range, rangeType: types.get(range)! };
}

export function readIndex(raw: Raw, global: boolean, types: Map<string, KeyType>, billingMode: BillingMode, tableKey: KeySchema): IndexDefinition {
  const name = String(raw['IndexName']);
  const key = readKeySchema(asArray(raw['KeySchema']) ?? [], types, name);
  const projection = asRecord(raw['Projection']) ?? {};
  const projectionType = (projection['ProjectionType'] as ProjectionType | undefined) ?? 'ALL';
  const nonKey = asArray(projection['NonKeyAttributes'])?.map(String) ?? [];
  if (projectionType !== 'INCLUDE' && nonKey.length > 0) {
    throw invalidParameter(`ProjectionType is ${projectionType}, but NonKeyAttributes is specified`);
  }
  const index: IndexDefinition = { name, global, key, projectionType, nonKeyAttributes: nonKey };
  if (global) {
    const throughput = readThroughput(raw['ProvisionedThroughput']);
    if (billingMode === 'PROVISIONED' && throughput === undefined) throw invalidParameter(`ProvisionedThroughput must be specified for index: ${name}`);
    if (billingMode === 'PAY_PER_REQUEST' && throughput !== undefined && (throughput.read > 0 || throughput.write > 0)) {
      throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
    }
    if (throughput !== undefined) index.throughput = throughput;
  } else {
    if (tableKey.range === undefined) throw invalidParameter('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
    if (key.hash !== tableKey.hash) {
      throw invalidParameter(`Index KeySchema does not have the same leading hash key as table KeySchema for index: ${name}. index hash key: ${key.hash}, table hash key: ${tableKey.hash}`);
    }
    if (key.range === undefined) throw invalidParameter(`Index KeySchema for a LocalSecondaryIndex must have a range key: ${name}`);
  }
  return index;
}

export function checkIndexShape(v: Violations, raw: Raw, member: string): void {
  v.notNull(raw['IndexName'], `${member}.indexName`);
  checkKeySchemaShape(v, raw['KeySchema'], `${member}.keySchema`);
  if (v.notNull(raw['Projection'], `${member}.projection`)) {
    v.enumValue(asRecord(raw['Projection'])?.['ProjectionType'], `${member}.projection.projectionType`, PROJECTION_TYPES);
  }
}

export function attributeTypes(defs: { AttributeName: string; AttributeType: KeyType }[]): Map<string, KeyType> {
  return new Map(defs.map((d) => [d.AttributeName, d.AttributeType]));
}

export function readCreateTable(input: Raw): TableSpec {
  const v = new Violations();
  v.tableName(input['TableName']);
  if (v.notNull(input['AttributeDefinitions'], 'attributeDefinitions')) {
    (asArray(input['AttributeDefinitions']) ?? []).forEach((d, i) => {
      v.notNull(d['AttributeName'], `attributeDefinitions.${i + 1}.member.attributeName`);
      if (v.notNull(d['AttributeType'], `attributeDefinitions.${i + 1}.member.attributeType`)) {
        v.enumValue(d['AttributeType'], `attributeDefinitions.${i + 1}.member.attributeType`, ATTRIBUTE_TYPES);
      }
    });
  }
  checkKeySchemaShape(v, input['KeySchema'], 'keySchema');
  v.enumValue(input['BillingMode'], 'billingMode', BILLING_MODES);
  const gsis = asArray(input['GlobalSecondaryIndexes']);
  const lsis = asArray(input['LocalSecondaryIndexes']);
  gsis?.forEach((g, i) => checkIndexShape(v, g, `globalSecondaryIndexes.${i + 1}.member`));
  lsis?.forEach((l, i) => checkIndexShape(v, l, `localSecondaryIndexes.${i + 1}.member`));
  const stream = asRecord(input['StreamSpecification']);
  if (stream !== undefined) v.enumValue(stream['StreamViewType'], 'streamSpecification.streamViewType', STREAM_VIEW_TYPES);
  v.throwIfAny();

  const attributeDefinitions = (asArray(input['AttributeDefinitions']) ?? []).map((d) => ({
    AttributeName: String(d['AttributeName']),
    AttributeType: d['AttributeType'] as KeyType,
  }));
  const types = attributeTypes(attributeDefinitions);
  const key = readKeySchema(asArray(input['KeySchema'])!, types, undefined);

  const billingMode = (input['BillingMode'] as BillingMode | undefined) ?? 'PROVISIONED';
  const throughput = readThroughput(input['ProvisionedThroughput']);
  if (billingMode === 'PAY_PER_REQUEST' && throughput !== undefined && (throughput.read > 0 || throughput.write > 0)) {
    throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  }
  if (billingMode === 'PROVISIONED' && throughput === undefined) throw validation('No provisioned throughput specified for the table');

  if (gsis !== undefined && gsis.length === 0) throw invalidParameter('List of GlobalSecondaryIndexes is empty');
  if (lsis !== undefined && lsis.length === 0) throw invalidParameter('List of LocalSecondaryIndexes is empty');
  const indexes = [...(lsis ?? []).map((l) => readIndex(l, false, types, billingMode, key)), ...(gsis ?? []).map((g) => readIndex(g, true, types, billingMode, key))];
  const seen = new Set<string>();
  for (const index of indexes) {
    if (seen.has(index.name)) throw invalidParameter(`Duplicate index name: ${index.name}`);
    seen.add(index.name);
  }

  const used = new Set<string>([key.hash, ...(key.range === undefined ? [] : [key.range])]);
  for (const index of indexes) {
    used.add(index.key.hash);
    if (index.key.range !== undefined) used.add(index.key.range);
  }
  if (attributeDefinitions.length !== used.size || attributeDefinitions.some((d) => !used.has(d.AttributeName))) {
    if (indexes.length === 0) throw invalidParameter('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    throw invalidParameter(`Some AttributeDefinitions are not used. AttributeDefinitions: [${[...types.keys()].sort().join(', ')}], keys used: [${[...used].sort().join(', ')}]`);
  }

  let streamViewType: StreamViewType | undefined;
  if (stream !== undefined && (stream['StreamEnabled'] === true || stream['StreamEnabled'] === 'true')) {
    if (stream['StreamViewType'] === undefined) throw invalidParameter('You must specify a StreamViewType when enabling a stream');
    streamViewType = stream['StreamViewType'] as StreamViewType;
  }
  const tags = (asArray(input['Tags']) ?? []).map((t) => ({ Key: String(t['Key']), Value: String(t['Value'] ?? '') }));
  return {
    name: String(input['TableName']),
    key,
    attributeDefinitions,
    billingMode,
    throughput: throughput ?? { read: 0, write: 0 },
    indexes,
    ...(streamViewType === undefined ? {} : { streamViewType }),
    tags,
    deletionProtection: input['DeletionProtectionEnabled'] === true,
    tableClass: typeof input['TableClass'] === 'string' ? input['TableClass'] : 'STANDARD',
  };
}

export function keySchemaJson(key: KeySchema): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  const out: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] = [{ AttributeName: key.hash, KeyType: 'HASH' }];
  if (key.range !== undefined) out.push({ AttributeName: key.range, KeyType: 'RANGE' });
  return out;
}

function throughputJson(billingMode: BillingMode, t: Throughput | undefined) {
  const paid = billingMode === 'PAY_PER_REQUEST';
  return { NumberOfDecreasesToday: 0, ReadCapacityUnits: paid ? 0 : (t?.read ?? 0), WriteCapacityUnits: paid ? 0 : (t?.write ?? 0) };
}

export interface TableStats {
  itemCount: number;
  sizeBytes: number;
  indexCounts: Map<string, number>;
}

export function describeTable(def: TableDefinition, stats: TableStats, status = 'ACTIVE'): Record<string, unknown> {
  const projection = (i: IndexDefinition) => ({
    ProjectionType: i.projectionType,
    ...(i.projectionType === 'INCLUDE' ? { NonKeyAttributes: i.nonKeyAttributes } : {}),
  });
  const lsis = def.indexes.filter((i) => !i.global);
  const gsis = def.indexes.filter((i) => i.global);
  const out: Record<string, unknown> = {
    AttributeDefinitions: def.attributeDefinitions,
    TableName: def.name,
    KeySchema: keySchemaJson(def.key),
    TableStatus: status,
    CreationDateTime: def.created,
    ProvisionedThroughput: throughputJson(def.billingMode, def.throughput),
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: def.arn,
    TableId: def.tableId,
  };
  if (def.billingMode === 'PAY_PER_REQUEST') {
    out['BillingModeSummary'] = { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: def.created };
  }
  if (lsis.length > 0) {
    out['LocalSecondaryIndexes'] = lsis.map((i) => ({
      IndexName: i.name,
      KeySchema: keySchemaJson(i.key),
      Projection: projection(i),
      IndexSizeBytes: 0,
      ItemCount: stats.indexCounts.get(i.name) ?? 0,
      IndexArn: `${def.arn}/index/${i.name}`,
    }));
  }
  if (gsis.length > 0) {
    out['GlobalSecondaryIndexes'] = gsis.map((i) => ({
      IndexName: i.name,
      KeySchema: keySchemaJson(i.key),
      Projection: projection(i),
      IndexStatus: 'ACTIVE',
      ProvisionedThroughput: throughputJson(def.billingMode, i.throughput),
      IndexSizeBytes: 0,
      ItemCount: stats.indexCounts.get(i.name) ?? 0,
      IndexArn: `${def.arn}/index/${i.name}`,
    }));
  }
  if (def.stream !== undefined) out['StreamSpecification'] = { StreamEnabled: true, StreamViewType: def.stream.viewType };
  if (def.latestStream !== undefined) {
    out['LatestStreamLabel'] = def.latestStream.label;
    out['LatestStreamArn'] = def.latestStream.arn;
  }
  if (def.tableClass !== 'STANDARD') out['TableClassSummary'] = { TableClass: def.tableClass };
  out['DeletionProtectionEnabled'] = def.deletionProtection;
  return out;
}

/** The attributes an index entry carries: table key, index key, and the projection's others. */
export function projectIndexItem(def: TableDefinition, index: IndexDefinition, item: AttributeMap): AttributeMap {
  if (index.projectionType === 'ALL') return item;
  const names = [def.key.hash, def.key.range, index.key.hash, index.key.range, ...(index.projectionType === 'INCLUDE' ? index.nonKeyAttributes : [])];
  const out: AttributeMap = {};
  for (const name of names) {
    if (name !== undefined && item[name] !== undefined) out[name] = item[name]!;
  }
  return out;
}

/**
 * An item's key attributes, checked against the schema (API Reference "PutItem" / "GetItem":
 * "The provided key element does not match the schema" and the type / empty value messages).
 */
export function checkKeyAttributes(key: KeySchema, item: AttributeMap, isKeyOnly: boolean): void {
  for (const [name, type] of [
    [key.hash, key.hashType],
    [key.range, key.rangeType],
  ] as const) {
    if (name === undefined) continue;
    const value = item[name];
    if (value === undefined) {
      if (isKeyOnly) throw validation('The provided key element does not match the schema');
      throw invalidParameter(`Missing the key ${name} in the item`);
    }
    const actual = typeOf(value);
    if (actual !== type) {
      if (isKeyOnly) throw validation('The provided key element does not match the schema');
      throw invalidParameter(`Type mismatch for key ${name} expected: ${type} actual: ${actual}`);
    }
    if ((value.S ?? value.B) === '') {
      throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${name}`);
    }
  }
  // Key value limits (Developer Guide "Service quotas": partition key 2048 bytes, sort key 1024); the
  // missing space in "limit of2048" is DynamoDB's.
  if (keyBytes(item[key.hash]!) > 2048) throw invalidParameter('Size of hashkey has exceeded the maximum size limit of2048 bytes');
  if (key.range !== undefined && keyBytes(item[key.range]!) > 1024) {
    throw invalidParameter('Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
  }
  if (isKeyOnly && Object.keys(item).length !== (key.range === undefined ? 1 : 2)) {
    throw validation('The provided key element does not match the schema');
  }
}

function keyBytes(value: AttributeValue): number {
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  return Buffer.byteLength(value.S ?? value.N ?? '', 'utf8');
}

/** Index key attributes present with the wrong type are rejected (sparse indexes skip absent ones). */
export function checkIndexAttributes(def: TableDefinition, item: AttributeMap): void {
  for (const index of def.indexes) {
    for (const [name, type] of [
      [index.key.hash, index.key.hashType],
      [index.key.range, index.key.rangeType],
    ] as const) {
      if (name === undefined) continue;
      const value = item[name];
      if (value === undefined) continue;
      const actual = typeOf(value);
      if (actual !== type) throw invalidParameter(`Type mismatch for Index Key ${name} Expected: ${type} Actual: ${actual} IndexName: ${index.name}`);
      if ((value.S ?? value.B) === '') {
        throw validation(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${type === 'S' ? 'string' : 'binary'} value. IndexName: ${index.name}, IndexKey: ${name}`);
      }
    }
  }
}
