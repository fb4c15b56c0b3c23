/**
 * `$input` and `$util` for one mapping-template render. AWS docs: "API Gateway mapping template and
 * access logging variable reference" ($input.body, $input.json(x), $input.path(x), $input.params(),
 * $input.params(x); $util.escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode, base64Decode).
 */
import { compileJsonPath, JsonPathSyntaxError, queryJsonPath, type CompiledJsonPath } from './jsonpath.js';
import { escapeJavaScript, urlDecode, urlEncode, base64Decode, base64Encode } from './util-functions.js';
import { JavaException } from './vtl/errors.js';
import { JsonSyntaxError, parseJavaJson } from './vtl/json.js';
import { HostObject, javaToString, NO_METHOD, toJsonText, type HostMethod } from './vtl/values.js';

export interface TemplateRequest {
  /** Raw payload text ('' when none). */
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
}

const UNPARSED: unique symbol = Symbol('unparsed');

/** The payload as JSONPath sees it: `{}` when empty, the JSON value when it parses, else the raw text. */
function bodyDocument(body: string): unknown {
  if (body.trim() === '') return new Map();
  try {
    return parseJavaJson(body);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return body;
    throw e;
  }
}

function jsonPathArg(args: readonly unknown[]): CompiledJsonPath | typeof NO_METHOD {
  if (args.length !== 1) return NO_METHOD;
  const path = args[0];
  if (path == null) throw new JavaException('java.lang.IllegalArgumentException', 'path can not be null');
  if (typeof path !== 'string') return NO_METHOD;
  try {
    return compileJsonPath(path);
  } catch (e) {
    if (e instanceof JsonPathSyntaxError) throw new JavaException('com.jayway.jsonpath.InvalidPathException', e.message);
    throw e;
  }
}

function copyMap(record: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(record));
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(headers, name)) return headers[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

/** `$input` for a request or integration response payload. */
export function inputVariable(request: TemplateRequest): unknown {
  let document: unknown = UNPARSED;
  const doc = (): unknown => {
    if (document === UNPARSED) document = bodyDocument(request.body);
    return document;
  };
  let params: Map<string, Map<string, string>> | null = null;
  const methods = new Map<string, HostMethod>([
    // an empty payload reads as {} (AWS: "Action=SendMessage&MessageBody=$input.body" with no body gives MessageBody={})
    ['getBody', (a) => (a.length === 0 ? (request.body === '' ? '{}' : request.body) : NO_METHOD)],
    [
      'json',
      (a) => {
        const path = jsonPathArg(a);
        if (path === NO_METHOD) return NO_METHOD;
        const r = queryJsonPath(doc(), path);
        return r.found ? toJsonText(r.value) : null;
      },
    ],
    [
      'path',
      (a) => {
        const path = jsonPathArg(a);
        if (path === NO_METHOD) return NO_METHOD;
        const r = queryJsonPath(doc(), path);
        return r.found ? r.value : null;
      },
    ],
    [
      'params',
      (a) => {
        if (a.length === 0) {
          params ??= new Map([
            ['path', copyMap(request.params.path)],
            ['querystring', copyMap(request.params.querystring)],
            ['header', copyMap(request.params.header)],
          ]);
          return params;
        }
        if (a.length !== 1) return NO_METHOD;
        const name = a[0];
        if (typeof name !== 'string') return name == null ? '' : NO_METHOD;
        const p = request.params;
        if (Object.prototype.hasOwnProperty.call(p.path, name)) return p.path[name];
        if (Object.prototype.hasOwnProperty.call(p.querystring, name)) return p.querystring[name];
        return headerValue(p.header, name) ?? '';
      },
    ],
  ]);
  return new HostObject('com.amazonaws.apigateway.InputVariable', methods);
}

/** A `$util` function of one string; null gives '' and other values are converted with toString(). */
function stringFunction(fn: (s: string) => string, javaException: string): HostMethod {
  return (a) => {
    if (a.length !== 1) return NO_METHOD;
    const v = a[0];
    if (v == null) return '';
    try {
      return fn(typeof v === 'string' ? v : javaToString(v));
    } catch (e) {
      if (e instanceof JavaException) throw e;
      throw new JavaException(javaException, (e as Error).message);
    }
  };
}

function parseJson(a: readonly unknown[]): unknown {
  if (a.length !== 1) return NO_METHOD;
  const v = a[0];
  if (v == null) return null;
  try {
    return parseJavaJson(typeof v === 'string' ? v : javaToString(v));
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new JavaException('com.fasterxml.jackson.core.JsonParseException', e.message);
    throw e;
  }
}

/** `$util`: stateless, shared by every render. */
export const utilVariable: unknown = new HostObject(
  'com.amazonaws.apigateway.UtilVariable',
  new Map<string, HostMethod>([
    ['escapeJavaScript', stringFunction(escapeJavaScript, 'java.lang.IllegalArgumentException')],
    ['parseJson', parseJson],
    ['urlEncode', stringFunction(urlEncode, 'java.lang.IllegalArgumentException')],
    ['urlDecode', stringFunction(urlDecode, 'java.lang.IllegalArgumentException')],
    ['base64Encode', stringFunction(base64Encode, 'java.lang.IllegalArgumentException')],
    ['base64Decode', stringFunction(base64Decode, 'java.lang.IllegalArgumentException')],
  ]),
);
