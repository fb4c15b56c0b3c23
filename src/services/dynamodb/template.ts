/**
 * Tables declared in the template exist at start (CloudFormation "AWS::DynamoDB::Table",
 * "AWS::DynamoDB::GlobalTable", SAM "AWS::Serverless::SimpleTable"): created under their physical
 * name unless already stored, so a restart keeps data. Their stream gets the label the template's
 * `Fn::GetAtt Table.StreamArn` resolved to.
 */
import type { Logger } from '../../core/log.js';
import type { Project, TemplateResource } from '../../definitions/model.js';
import type { DynamoContext, Input } from './context.js';
import { createTable, updateTimeToLive } from './operations/tables.js';
import { resourceProblem } from '../../definitions/errors.js';

/** Matches `StreamArn` in src/definitions/cloudformation/resource-types.ts. */
export const TEMPLATE_STREAM_LABEL = '1970-01-01T00:00:00.000';
const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::Serverless::SimpleTable']);
const SAM_TYPES: Record<string, string> = { String: 'S', Number: 'N', Binary: 'B' };

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined);

/** CloudFormation properties may carry numbers and booleans as strings. */
function throughput(raw: unknown): Raw | undefined {
  const t = record(raw);
  if (t === undefined) return undefined;
  return { ReadCapacityUnits: Number(t['ReadCapacityUnits'] ?? 1), WriteCapacityUnits: Number(t['WriteCapacityUnits'] ?? 1) };
}

function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

function tableInput(resource: TemplateResource): Input {
  const p = resource.properties;
  const input: Input = {
    TableName: resource.physicalId,
    KeySchema: p['KeySchema'],
    AttributeDefinitions: p['AttributeDefinitions'],
    BillingMode: p['BillingMode'] ?? 'PROVISIONED',
  };
  const t = throughput(p['ProvisionedThroughput']);
  if (t !== undefined) input['ProvisionedThroughput'] = t;
  else if (input['BillingMode'] === 'PROVISIONED' && resource.type === 'AWS::DynamoDB::GlobalTable') input['ProvisionedThroughput'] = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
  const indexes = (raw: unknown) =>
    Array.isArray(raw)
      ? raw.map((i: Raw) => {
          const { ProvisionedThroughput, ...rest } = i;
          const it = throughput(ProvisionedThroughput);
          return it === undefined ? rest : { ...rest, ProvisionedThroughput: it };
        })
      : undefined;
  if (p['GlobalSecondaryIndexes'] !== undefined) input['GlobalSecondaryIndexes'] = indexes(p['GlobalSecondaryIndexes']);
  if (p['LocalSecondaryIndexes'] !== undefined) input['LocalSecondaryIndexes'] = indexes(p['LocalSecondaryIndexes']);
  // In a template a StreamSpecification with a view type means the stream is on.
  const stream = record(p['StreamSpecification']);
  if (stream?.['StreamViewType'] !== undefined) input['StreamSpecification'] = { StreamEnabled: true, StreamViewType: stream['StreamViewType'] };
  if (Array.isArray(p['Tags'])) input['Tags'] = p['Tags'];
  if (p['DeletionProtectionEnabled'] !== undefined) input['DeletionProtectionEnabled'] = bool(p['DeletionProtectionEnabled']);
  if (typeof p['TableClass'] === 'string') input['TableClass'] = p['TableClass'];
  return input;
}

function simpleTableInput(resource: TemplateResource): Input {
  const p = resource.properties;
  const key = record(p['PrimaryKey']) ?? {};
  const name = typeof key['Name'] === 'string' ? key['Name'] : 'id';
  const type = SAM_TYPES[String(key['Type'] ?? 'String')] ?? 'S';
  const t = throughput(p['ProvisionedThroughput']);
  const tags = record(p['Tags']);
  return {
    TableName: resource.physicalId,
    KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: name, AttributeType: type }],
    ...(t === undefined ? { BillingMode: 'PAY_PER_REQUEST' } : { BillingMode: 'PROVISIONED', ProvisionedThroughput: t }),
    ...(tags === undefined ? {} : { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })) }),
  };
}

export function createTemplateTables(ctx: DynamoContext, project: Project, log: Logger): void {
  for (const resource of project.resources) {
    if (!TABLE_TYPES.has(resource.type) || ctx.store.table(resource.physicalId) !== undefined) continue;
    try {
      const simple = resource.type === 'AWS::Serverless::SimpleTable';
      createTable(ctx, simple ? simpleTableInput(resource) : tableInput(resource), { streamLabel: TEMPLATE_STREAM_LABEL });
      const ttl = record(resource.properties['TimeToLiveSpecification']);
      if (!simple && ttl !== undefined && bool(ttl['Enabled']) && typeof ttl['AttributeName'] === 'string') {
        updateTimeToLive(ctx, { TableName: resource.physicalId, TimeToLiveSpecification: { Enabled: true, AttributeName: ttl['AttributeName'] } });
      }
      log.debug(`dynamodb: created table ${resource.physicalId} (${resource.logicalId})`);
    } catch (error) {
      throw resourceProblem(resource, (error as Error).message);
    }
  }
}
