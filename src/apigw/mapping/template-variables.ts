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

/** What one `$input` reads, with its lazily parsed payload and `params()` map. */
class InputState {
  document: unknown = UNPARSED;
  allParams: Map<string, Map<string, string>> | null = null;
  constructor(readonly request: TemplateRequest) {}

  parsed(): unknown {
    if (this.document === UNPARSED) this.document = bodyDocument(this.request.body);
    return this.document;
  }
}

const INPUT_METHODS = new Map<string, HostMethod<InputState>>([
  // an empty payload reads as {} (AWS: "Action=SendMessage&MessageBody=$input.body" with no body gives MessageBody={})
  ['getBody', (a, input) => (a.length === 0 ? (input.request.body === '' ? '{}' : input.request.body) : NO_METHOD)],
  [
    'json',
    (a, input) => {
      const path = jsonPathArg(a);
      if (path === NO_METHOD) return NO_METHOD;
      const r = queryJsonPath(input.parsed(), path);
      return r.found ? toJsonText(r.value) : null;
    },
  ],
  [
    'path',
    (a, input) => {
      const path = jsonPathArg(a);
      if (path === NO_METHOD) return NO_METHOD;
      const r = queryJsonPath(input.parsed(), path);
      return r.found ? r.value : null;
    },
  ],
  [
    'params',
    (a, input) => {
      const p = input.request.params;
      if (a.length === 0) {
        input.allParams ??= new Map([
          ['path', copyMap(p.path)],
          ['querystring', copyMap(p.querystring)],
          ['header', copyMap(p.header)],
        ]);
        return input.allParams;
      }
      if (a.length !== 1) return NO_METHOD;
      const name = a[0];
      if (typeof name !== 'string') return name == null ? '' : NO_METHOD;
      if (Object.prototype.hasOwnProperty.call(p.path, name)) return p.path[name];
      if (Object.prototype.hasOwnProperty.call(p.querystring, name)) return p.querystring[name];
      return headerValue(p.header, name) ?? '';
    },
  ],
]);

/** `$input` for a request or integration response payload. */
export function inputVariable(request: TemplateRequest): unknown {
  return new HostObject('com.amazonaws.apigateway.InputVariable', INPUT_METHODS, new InputState(request));
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
  null,
);
