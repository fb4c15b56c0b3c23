/**
 * SQS over the AWS query protocol: `Action=` with form parameters (flattened lists `AttributeName.1`,
 * maps `Attribute.1.Name/Value`, message attributes `MessageAttribute.1.Name/Value.DataType/...` —
 * the plural prefixes `MessageAttributes.1...` are accepted too, as SQS does), the queue from
 * `QueueUrl` or from the request path (`POST /{accountId}/{queueName}`, API Gateway's
 * `sqs:path/{account}/{queue}` integrations). XML responses with flattened lists; the JSON form of
 * the query response when the caller accepts `application/json` (API Gateway sends that).
 * AWS docs: Amazon SQS API Reference, "Making Query API requests" and each action's "Examples";
 * API Gateway Developer Guide, "Tutorial: Build a REST API as an Amazon SQS proxy".
 */
import type { ServerResponse } from 'node:http';
import type { ServiceRequest } from '../../service.js';
import { AwsServiceError } from '../../protocol/errors.js';
import { acceptsJson, escapeXml, indexedParameters, writeQueryError, writeQueryJsonError, writeQueryJsonResult, writeQueryResultXml } from '../../protocol/query.js';
import type { SqsContext } from '../context.js';
import { SqsError } from '../errors.js';
import { queueUrl } from '../model.js';
import { OPERATIONS } from '../operations/index.js';
import type { Input } from '../operations/input.js';

export const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

type Params = ReadonlyMap<string, string>;

export async function handleQuery(ctx: SqsContext, request: ServiceRequest, params: Params, res: ServerResponse, abortSignal: () => AbortSignal): Promise<void> {
  const action = params.get('Action') ?? '';
  const json = acceptsJson(request);
  try {
    const operation = OPERATIONS[action];
    if (operation === undefined) throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    const input = decodeInput(params);
    if (input['QueueUrl'] === undefined) {
      const name = queueFromPath(request.path);
      if (name !== undefined) input['QueueUrl'] = queueUrl(ctx.endpoint, ctx.accountId, name);
    }
    const output = await operation(ctx, input, abortSignal);
    if (res.destroyed) return;
    if (json) writeQueryJsonResult(res, action, jsonResult(action, output));
    else writeQueryResultXml(res, action, NAMESPACE, Object.keys(output).length === 0 && !HAS_RESULT.has(action) ? undefined : toSqsXml(output, action));
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    const queryError = error instanceof SqsError ? error.asQueryError() : error;
    if (json) writeQueryJsonError(res, queryError);
    else writeQueryError(res, queryError);
  }
}

/** `/{accountId}/{queueName}` (any first segment, as SQS accepts the queue URL's path). */
function queueFromPath(path: string): string | undefined {
  const match = /^\/[^/]+\/([^/]+)\/?$/.exec(path);
  return match === null ? undefined : decodeURIComponent(match[1]!);
}

// --- Input: query parameters -> the JSON protocol's input shape ---

function list(params: Params, prefixes: readonly string[]): string[] | undefined {
  const values = indexedParameters(params, prefixes)
    .map((entry) => entry.get(''))
    .filter((value): value is string => value !== undefined);
  return values.length === 0 ? undefined : values;
}

function map(params: Params, prefixes: readonly string[], keyName: string, valueName: string): Record<string, string> | undefined {
  const entries = indexedParameters(params, prefixes);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const key = entry.get(keyName);
    if (key !== undefined) out[key] = entry.get(valueName) ?? '';
  }
  return out;
}

function messageAttributes(params: Params, prefixes: readonly string[]): Input | undefined {
  const entries = indexedParameters(params, prefixes);
  if (entries.length === 0) return undefined;
  const out: Input = {};
  for (const entry of entries) {
    const name = entry.get('Name');
    if (name === undefined) continue;
    const value: Record<string, unknown> = {};
    const dataType = entry.get('Value.DataType');
    const stringValue = entry.get('Value.StringValue');
    const binaryValue = entry.get('Value.BinaryValue');
    if (dataType !== undefined) value['DataType'] = dataType;
    if (stringValue !== undefined) value['StringValue'] = stringValue;
    if (binaryValue !== undefined) value['BinaryValue'] = binaryValue;
    out[name] = value;
  }
  return out;
}

const BATCH_ENTRIES = ['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry', 'Entries'];

/** Every action's parameters decoded into one input object (each action reads only its own members). */
export function decodeInput(params: Params): Input {
  const input: Input = {};
  let structured = false;
  for (const [key, value] of params) {
    if (key.includes('.')) structured = true;
    else if (key !== 'Action' && key !== 'Version') input[key] = value;
  }
  if (!structured) return input;
  const set = (name: string, value: unknown) => {
    if (value !== undefined) input[name] = value;
  };
  set('Attributes', map(params, ['Attribute', 'Attributes'], 'Name', 'Value'));
  const tags = map(params, ['Tag', 'Tags'], 'Key', 'Value');
  set('tags', tags);
  set('Tags', tags);
  set('TagKeys', list(params, ['TagKey', 'TagKeys']));
  set('AttributeNames', list(params, ['AttributeName', 'AttributeNames']));
  set('MessageSystemAttributeNames', list(params, ['MessageSystemAttributeName', 'MessageSystemAttributeNames']));
  set('MessageAttributeNames', list(params, ['MessageAttributeName', 'MessageAttributeNames']));
  set('MessageAttributes', messageAttributes(params, ['MessageAttribute', 'MessageAttributes']));
  set('MessageSystemAttributes', messageAttributes(params, ['MessageSystemAttribute', 'MessageSystemAttributes']));
  const entries = indexedParameters(params, BATCH_ENTRIES);
  if (entries.length > 0) input['Entries'] = entries.map((entry) => decodeInput(entry));
  return input;
}

// --- Output: XML with SQS's flattened lists and maps ---

/** List members by JSON name -> element name repeated in place of the list. */
const FLATTENED_LISTS: Readonly<Record<string, string>> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  StringListValues: 'StringListValue',
  BinaryListValues: 'BinaryListValue',
};

/** Map members by JSON name -> [entry element, key element, value element]. */
const FLATTENED_MAPS: Readonly<Record<string, readonly [string, string, string]>> = {
  Attributes: ['Attribute', 'Name', 'Value'],
  MessageAttributes: ['MessageAttribute', 'Name', 'Value'],
  Tags: ['Tag', 'Key', 'Value'],
};

/** Actions whose response has a `<{Action}Result>` element even when empty. */
const HAS_RESULT = new Set(['ListQueues', 'GetQueueAttributes', 'ReceiveMessage', 'ListQueueTags', 'ListDeadLetterSourceQueues']);

export function toSqsXml(value: Record<string, unknown>, action: string): string {
  let xml = '';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    if (Array.isArray(member)) {
      const element = key === 'Successful' ? `${action}ResultEntry` : (FLATTENED_LISTS[key] ?? key);
      for (const item of member) xml += `<${element}>${scalarOrXml(item, action)}</${element}>`;
    } else if (typeof member === 'object' && FLATTENED_MAPS[key] !== undefined) {
      const [entry, keyName, valueName] = FLATTENED_MAPS[key];
      for (const [k, v] of Object.entries(member as Record<string, unknown>)) {
        xml += `<${entry}><${keyName}>${escapeXml(k)}</${keyName}><${valueName}>${scalarOrXml(v, action)}</${valueName}></${entry}>`;
      }
    } else {
      xml += `<${key}>${scalarOrXml(member, action)}</${key}>`;
    }
  }
  return xml;
}

function scalarOrXml(value: unknown, action: string): string {
  return value !== null && typeof value === 'object' ? toSqsXml(value as Record<string, unknown>, action) : escapeXml(String(value));
}

// --- Output: the JSON form of the query response ---

/**
 * The `{Action}Result` object of the JSON form. SendMessage's shape is the one observed through
 * API Gateway (every member, nulls included, names in alphabetical order); received messages are
 * listed under `messages` (null when there are none) like API Gateway users read them; other results keep the JSON
 * protocol's shape.
 */
export function jsonResult(action: string, output: Record<string, unknown>): unknown {
  switch (action) {
    case 'SendMessage':
      return sendResultJson(output);
    case 'SendMessageBatch':
      return {
        Failed: output['Failed'],
        Successful: (output['Successful'] as Record<string, unknown>[]).map((entry) => ({ Id: entry['Id'], ...sendResultJson(entry) })),
      };
    case 'ReceiveMessage': {
      // An empty receive lists `messages: null`, not `[]`.
      const messages = (output['Messages'] as Record<string, unknown>[] | undefined) ?? [];
      return {
        messages: messages.length === 0 ? null : messages.map((m) => ({
          Attributes: m['Attributes'] ?? null,
          Body: m['Body'],
          MD5OfBody: m['MD5OfBody'],
          MD5OfMessageAttributes: m['MD5OfMessageAttributes'] ?? null,
          MessageAttributes: m['MessageAttributes'] ?? null,
          MessageId: m['MessageId'],
          ReceiptHandle: m['ReceiptHandle'],
        })),
      };
    }
    default:
      return Object.keys(output).length === 0 ? undefined : output;
  }
}

function sendResultJson(output: Record<string, unknown>): Record<string, unknown> {
  return {
    MD5OfMessageAttributes: output['MD5OfMessageAttributes'] ?? null,
    MD5OfMessageBody: output['MD5OfMessageBody'],
    MD5OfMessageSystemAttributes: output['MD5OfMessageSystemAttributes'] ?? null,
    MessageId: output['MessageId'],
    SequenceNumber: output['SequenceNumber'] ?? null,
  };
}
