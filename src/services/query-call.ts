/**
 * The client side of the AWS query protocol, for gatehouse's own calls to query-only services (SNS):
 * SDK-shaped input flattened into form parameters (`Name.Sub`, lists as `Name.member.N`, maps as
 * `Name.entry.N.<key>/<value>`), and the `<{Action}Result>` of the XML answer read back into an
 * object (`<member>` lists as arrays). Without the service model, maps are named per service.
 * AWS docs: Smithy "AWS query protocol" (query key resolution, list and map serialization);
 * SNS API reference "Publish" (MessageAttributes.entry.N.Name / .Value) and "CreateTopic" (Attributes.entry.N.key / .value).
 */
import { parseXml, type XmlNode } from './s3/protocol/xml.js';

/** Map members of a service and the names of their entries' key and value. */
export type QueryMaps = Readonly<Record<string, readonly [key: string, value: string]>>;

export const SNS_MAPS: QueryMaps = {
  MessageAttributes: ['Name', 'Value'],
  Attributes: ['key', 'value'],
};

/** `Action=...&Version=...` plus the flattened input, form-encoded. */
export function queryBody(action: string, version: string, input: unknown, maps: QueryMaps): string {
  const params = new URLSearchParams({ Action: action, Version: version });
  const add = (prefix: string, value: unknown, member: string): void => {
    if (value === undefined || value === null) return;
    const map = maps[member];
    if (Array.isArray(value)) {
      value.forEach((item, i) => add(`${prefix}.member.${i + 1}`, item, ''));
    } else if (typeof value === 'object' && map !== undefined) {
      Object.entries(value).forEach(([key, item], i) => {
        params.append(`${prefix}.entry.${i + 1}.${map[0]}`, key);
        add(`${prefix}.entry.${i + 1}.${map[1]}`, item, '');
      });
    } else if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) add(prefix === '' ? key : `${prefix}.${key}`, item, key);
    } else {
      params.append(prefix, String(value));
    }
  };
  add('', input, '');
  return params.toString();
}

/** The `<{Action}Result>` of a query answer as an object, or the error it reports (`{code, message}`). */
export function readQueryResponse(xml: string, action: string): { result: unknown } | { code: string; message: string } {
  const root = parseXml(xml);
  if (root.name === 'ErrorResponse') {
    const error = root.children.find((c) => c.name === 'Error');
    const text = (name: string) => error?.children.find((c) => c.name === name)?.text ?? '';
    return { code: text('Code') || 'ServiceException', message: text('Message') };
  }
  const result = root.children.find((c) => c.name === `${action}Result`);
  return { result: result === undefined ? {} : valueOf(result) };
}

function valueOf(node: XmlNode): unknown {
  if (node.children.length === 0) return node.text;
  if (node.children.every((c) => c.name === 'member')) return node.children.map(valueOf);
  const out: Record<string, unknown> = {};
  for (const child of node.children) out[child.name] = valueOf(child);
  return out;
}
