/**
 * SNS over the AWS query protocol, what the SDKs and the CLI send: `Action=` with form or query
 * parameters (lists `Tags.member.N`, maps `Attributes.entry.N.key/value`, message attributes
 * `MessageAttributes.entry.N.Name/Value.DataType/...`), XML responses with `<member>` lists and
 * `<entry><key/><value/></entry>` maps, and the JSON form of the response when the caller accepts
 * `application/json` (API Gateway's `sns:action/Publish` integrations: `{"PublishResponse":
 * {"PublishResult": {"MessageId": ..., "SequenceNumber": null}, "ResponseMetadata": {...}}}`).
 * AWS docs: Amazon SNS API Reference, "Query requests" and each action's examples; API Gateway
 * Developer Guide, "Tutorial: Build an API Gateway REST API with AWS integration" (SNS).
 */
import type { ServerResponse } from 'node:http';
import type { ServiceRequest } from '../../service.js';
import { AwsServiceError } from '../../protocol/errors.js';
import { acceptsJson, escapeXml, indexedParameters, writeQueryError, writeQueryJsonError, writeQueryJsonResult, writeQueryResultXml } from '../../protocol/query.js';
import type { SnsContext } from '../context.js';
import { SnsError } from '../errors.js';
import { OPERATIONS } from '../operations/index.js';
import type { Input } from '../operations/input.js';

export const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

type Params = ReadonlyMap<string, string>;

/** Actions whose response has a `<{Action}Result>` element even when it is empty. */
const EMPTY_RESULT = new Set(['TagResource', 'UntagResource']);

export async function handleQuery(ctx: SnsContext, request: ServiceRequest, params: Params, res: ServerResponse): Promise<void> {
  const action = params.get('Action') ?? '';
  const json = acceptsJson(request);
  try {
    const operation = OPERATIONS[action];
    if (operation === undefined) throw new SnsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    const output = await operation(ctx, decodeInput(params), request.method === 'GET');
    if (res.destroyed) return;
    if (json) writeQueryJsonResult(res, action, jsonResult(action, output));
    else writeQueryResultXml(res, action, NAMESPACE, Object.keys(output).length === 0 && !EMPTY_RESULT.has(action) ? undefined : toSnsXml(output));
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    if (json) writeQueryJsonError(res, error);
    else writeQueryError(res, error);
  }
}

// --- Input ---

/** SNS lists are `Prefix.member.N.`, its maps `Prefix.entry.N.` (attributes), or plain `Prefix.N.`. */
function indexed(params: Params, prefix: string): Map<string, string>[] {
  return indexedParameters(params, [prefix], ['member.', 'entry.']);
}

export function decodeInput(params: Params): Input {
  const input: Input = {};
  let structured = false;
  for (const [key, value] of params) {
    if (key.includes('.')) structured = true;
    else if (key !== 'Action' && key !== 'Version') input[key] = value;
  }
  if (!structured) return input;
  const attributes = indexed(params, 'Attributes');
  if (attributes.length > 0) {
    input['Attributes'] = Object.fromEntries(
      attributes.map((e) => [e.get('key') ?? e.get('Key') ?? e.get('Name') ?? '', e.get('value') ?? e.get('Value') ?? '']),
    );
  }
  const tags = indexed(params, 'Tags');
  if (tags.length > 0) input['Tags'] = tags.map((e) => ({ Key: e.get('Key') ?? e.get('key'), Value: e.get('Value') ?? e.get('value') ?? '' }));
  const tagKeys = indexed(params, 'TagKeys');
  if (tagKeys.length > 0) input['TagKeys'] = tagKeys.map((e) => e.get('') ?? '');
  const messageAttributes = indexed(params, 'MessageAttributes');
  if (messageAttributes.length > 0) {
    const out: Record<string, unknown> = {};
    for (const e of messageAttributes) {
      const name = e.get('Name') ?? e.get('key');
      if (name === undefined) continue;
      const value: Record<string, string> = {};
      for (const field of ['DataType', 'StringValue', 'BinaryValue']) {
        const v = e.get(`Value.${field}`) ?? e.get(`value.${field}`);
        if (v !== undefined) value[field] = v;
      }
      out[name] = value;
    }
    input['MessageAttributes'] = out;
  }
  const entries = indexed(params, 'PublishBatchRequestEntries');
  if (entries.length > 0) input['PublishBatchRequestEntries'] = entries.map((entry) => decodeInput(entry));
  return input;
}

// --- Output ---

/** Query XML: arrays as `<member>` lists, the `Attributes` map as `<entry><key/><value/></entry>`. */
export function toSnsXml(value: Record<string, unknown>): string {
  let xml = '';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    let inner: string;
    if (Array.isArray(member)) {
      inner = member.map((item) => `<member>${item !== null && typeof item === 'object' ? toSnsXml(item as Record<string, unknown>) : escapeXml(String(item))}</member>`).join('');
    } else if (key === 'Attributes' && typeof member === 'object') {
      inner = Object.entries(member as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(String(v))}</value></entry>`)
        .join('');
    } else if (typeof member === 'object') {
      inner = toSnsXml(member as Record<string, unknown>);
    } else {
      inner = escapeXml(String(member));
    }
    xml += `<${key}>${inner}</${key}>`;
  }
  return xml;
}

/** The JSON form's result: every member of the result shape, absent ones as null. */
function jsonResult(action: string, output: Record<string, unknown>): unknown {
  switch (action) {
    case 'Publish':
      return { MessageId: output['MessageId'], SequenceNumber: output['SequenceNumber'] ?? null };
    case 'ListTopics':
      return { NextToken: output['NextToken'] ?? null, Topics: output['Topics'] };
    case 'ListSubscriptions':
    case 'ListSubscriptionsByTopic':
      return { NextToken: output['NextToken'] ?? null, Subscriptions: output['Subscriptions'] };
    case 'PublishBatch':
      return {
        Failed: output['Failed'],
        Successful: (output['Successful'] as Record<string, unknown>[]).map((s) => ({ Id: s['Id'], MessageId: s['MessageId'], SequenceNumber: s['SequenceNumber'] ?? null })),
      };
    default:
      return Object.keys(output).length === 0 ? undefined : output;
  }
}
