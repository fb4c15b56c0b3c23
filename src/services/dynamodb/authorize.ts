/**
 * Fine-grained access to the embedded DynamoDB under `--enforce-iam`: a call signed by a mapped IAM
 * identity is authorized with that identity's policies before it runs, for the action of each item it
 * touches, on the table (or index) ARN, with the condition keys DynamoDB supplies —
 * `dynamodb:LeadingKeys` (the partition key values), `dynamodb:Select`, `dynamodb:ReturnValues`,
 * `dynamodb:ReturnConsumedCapacity`. A denial is AccessDeniedException, as DynamoDB answers it.
 * AWS docs: DynamoDB Developer Guide "Using IAM policy conditions for fine-grained access control"
 * (specifying-conditions.html), "Actions, resources, and condition keys for Amazon DynamoDB"; the
 * error shape `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: ... is not
 * authorized to perform: dynamodb:ListTables on resource: *"}` recorded in sebdah/dynamic-dynamodb #321,
 * the "because no identity-based policy allows the dynamodb:Query action" wording in
 * AntonShuvaev/intellij-dynamodb #29.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/log.js';
import { accessDeniedMessage, evaluateIdentity, identityConditions } from '../../iam/evaluate.js';
import type { IamIdentities, IamIdentity } from '../../iam/identities.js';
import { callerIdentity } from '../../iam/service-caller.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { ServiceRequest } from '../service.js';
import { SigV4Error } from '../sigv4/index.js';
import type { DynamoContext, Input } from './context.js';
import { expressionAttributes } from './operations/common.js';
import { conditionExpression } from './expressions/cache.js';
import { bindKeyCondition, keyRange } from './expressions/key-condition.js';
import { legacyKeyConditions } from './expressions/legacy.js';
import type { AttributeValue } from './types.js';

/** One permission a call needs. */
interface Need {
  action: string;
  resource: string;
  leadingKeys?: string[];
}

/** Errors DynamoDB's front end answers with, before the service itself: `com.amazon.coral.service#...` with `Message`. */
export class CoralError extends AwsServiceError {}

export function writeCoralError(res: ServerResponse, error: CoralError): void {
  const body = Buffer.from(JSON.stringify({ __type: `com.amazon.coral.service#${error.code}`, Message: error.message }));
  res.writeHead(error.status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': String(body.length), 'x-amzn-RequestId': randomUUID(), 'x-amzn-ErrorType': error.code });
  res.end(body);
}

/** Throws CoralError when the caller is a mapped identity without permission (or with a bad signature). */
export async function authorizeCall(ctx: DynamoContext, identities: IamIdentities, log: Logger, request: ServiceRequest, operation: string, input: Input): Promise<void> {
  let identity: IamIdentity | null;
  try {
    identity = await callerIdentity(request, identities);
  } catch (error) {
    if (error instanceof SigV4Error) throw new CoralError('InvalidSignatureException', error.message, 400);
    throw error;
  }
  if (identity === null) return;
  const shared: Record<string, string | undefined> = {
    'dynamodb:select': typeof input['Select'] === 'string' ? input['Select'] : undefined,
    'dynamodb:returnvalues': typeof input['ReturnValues'] === 'string' ? input['ReturnValues'] : undefined,
    'dynamodb:returnconsumedcapacity': typeof input['ReturnConsumedCapacity'] === 'string' ? input['ReturnConsumedCapacity'] : undefined,
    'aws:currenttime': new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:sourceip': request.raw.socket.remoteAddress?.replace(/^::ffff:/, ''),
  };
  for (const need of needsOf(ctx, operation, input)) {
    const conditions = identityConditions(identity, { ...shared, ...(need.leadingKeys && { 'dynamodb:leadingkeys': need.leadingKeys }) });
    const { decision, by } = evaluateIdentity(identity, { action: need.action, resource: need.resource, conditions });
    if (decision !== 'Allow') {
      log.info(`iam: ${identity.userArn} denied ${need.action} on ${need.resource}${need.leadingKeys ? ` (leading keys ${need.leadingKeys.join(', ')})` : ''}: ${decision === 'Deny' ? `explicit deny by ${by}` : 'no statement allows it'}`);
      throw new CoralError('AccessDeniedException', accessDeniedMessage(identity, need.action, need.resource, decision), 400);
    }
  }
}

function tableArn(ctx: DynamoContext, table: unknown, index?: unknown): string {
  const name = typeof table === 'string' ? table : '';
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}${typeof index === 'string' ? `/index/${index}` : ''}`;
}

const asObject = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The partition key value of a key or item as policies compare it (S and N as written, B in base64). */
function leadingKey(ctx: DynamoContext, table: unknown, key: unknown): string[] {
  const def = typeof table === 'string' ? ctx.store.table(table) : undefined;
  const value = def === undefined ? undefined : (asObject(key)[def.key.hash] as AttributeValue | undefined);
  if (value === undefined) return [];
  const v = value as Record<string, unknown>;
  return [String(v['S'] ?? v['N'] ?? v['B'] ?? JSON.stringify(value))];
}

/** Query's partition key value from its key condition; none when the condition does not parse (the operation reports that). */
function queryLeadingKey(ctx: DynamoContext, input: Input): string[] {
  const def = typeof input['TableName'] === 'string' ? ctx.store.table(input['TableName']) : undefined;
  if (def === undefined) return [];
  const index = def.indexes.find((i) => i.name === input['IndexName']);
  const schema = index?.key ?? def.key;
  try {
    const range =
      typeof input['KeyConditionExpression'] === 'string'
        ? bindKeyCondition(conditionExpression(input['KeyConditionExpression'], 'KeyConditionExpression'), expressionAttributes(input, ['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression'], ['KeyConditionExpression', 'FilterExpression']), schema)
        : keyRange(legacyKeyConditions(asObject(input['KeyConditions'])), schema);
    const v = range.hash as Record<string, unknown>;
    return [String(v['S'] ?? v['N'] ?? v['B'])];
  } catch {
    return [];
  }
}

const ITEM_ACTIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
const TRANSACT_ACTIONS: Record<string, string> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

function needsOf(ctx: DynamoContext, operation: string, input: Input): Need[] {
  const action = `dynamodb:${operation}`;
  if (ITEM_ACTIONS.has(operation)) {
    return [{ action, resource: tableArn(ctx, input['TableName']), leadingKeys: leadingKey(ctx, input['TableName'], operation === 'PutItem' ? input['Item'] : input['Key']) }];
  }
  switch (operation) {
    case 'Query':
      return [{ action, resource: tableArn(ctx, input['TableName'], input['IndexName']), leadingKeys: queryLeadingKey(ctx, input) }];
    case 'Scan':
      return [{ action, resource: tableArn(ctx, input['TableName'], input['IndexName']) }];
    case 'BatchGetItem':
      return Object.entries(asObject(input['RequestItems'])).map(([table, request]) => {
        const keys = asObject(request)['Keys'];
        return { action, resource: tableArn(ctx, table), leadingKeys: (Array.isArray(keys) ? keys : []).flatMap((k) => leadingKey(ctx, table, k)) };
      });
    case 'BatchWriteItem':
      return Object.entries(asObject(input['RequestItems'])).map(([table, writes]) => ({
        action,
        resource: tableArn(ctx, table),
        leadingKeys: (Array.isArray(writes) ? writes : []).flatMap((w) => {
          const write = asObject(w);
          return leadingKey(ctx, table, asObject(write['PutRequest'])['Item'] ?? asObject(write['DeleteRequest'])['Key']);
        }),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return (Array.isArray(input['TransactItems']) ? input['TransactItems'] : []).flatMap((entry) =>
        Object.entries(asObject(entry)).map(([kind, body]) => {
          const b = asObject(body);
          return { action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`, resource: tableArn(ctx, b['TableName']), leadingKeys: leadingKey(ctx, b['TableName'], b['Item'] ?? b['Key']) };
        }),
      );
    case 'ListTables':
    case 'DescribeLimits':
    case 'ListStreams':
      return [{ action, resource: '*' }];
    default: {
      const resource = typeof input['TableName'] === 'string' ? tableArn(ctx, input['TableName']) : typeof input['ResourceArn'] === 'string' ? input['ResourceArn'] : typeof input['StreamArn'] === 'string' ? input['StreamArn'] : '*';
      return [{ action, resource }];
    }
  }
}
