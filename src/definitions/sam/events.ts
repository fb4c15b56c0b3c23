/**
 * `Api` and `HttpApi` events of SAM functions and state machines, written into the API's OpenAPI document as the
 * SAM transform does (AWS SAM Developer Guide "Api" and "HttpApi" event source types): an `aws_proxy` Lambda
 * integration per event, the same method and path twice being an error.
 */
import type { TemplateResource } from '../model.js';
import { at, type Loc, type Problems } from '../errors.js';
import { Fields, isRecord, type JsonObject } from '../values.js';
import type { StackEnv } from '../cloudformation/template.js';
import type { TemplateContext } from '../cloudformation/context.js';

export interface SamEvent {
  /** The function or state machine. */
  owner: TemplateResource;
  name: string;
  type: 'Api' | 'HttpApi';
  /** The event's resolved `Properties`. */
  props: Fields;
  loc: Loc;
}

export function collectEvents(ctx: TemplateContext): SamEvent[] {
  const out: SamEvent[] = [];
  for (const owner of ctx.ofType('AWS::Serverless::Function', 'AWS::Serverless::StateMachine')) {
    const events = ctx.props(owner).fields('Events');
    for (const [name, event] of Object.entries(events?.obj ?? {})) {
      const e = Fields.of(event, events!.at(name), ctx.problems);
      const type = e?.str('Type', true);
      if (!e || (type !== 'Api' && type !== 'HttpApi')) continue;
      if (type === 'HttpApi' && owner.type === 'AWS::Serverless::StateMachine') {
        ctx.problems.add(e.at('Type'), 'state machines support Api events, not HttpApi');
        continue;
      }
      const props = e.fields('Properties') ?? new Fields({}, e.at('Properties'), ctx.problems);
      out.push({ owner, name, type, props, loc: e.loc });
    }
  }
  return out;
}

/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations`. */
export function lambdaInvocationUri(env: StackEnv, functionArn: string): string {
  return `arn:${env.partition}:apigateway:${env.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/** The path item key of a method: `any` is API Gateway's `x-amazon-apigateway-any-method`. */
export function operationKey(method: string): string {
  const lower = method.toLowerCase();
  return lower === 'any' ? 'x-amazon-apigateway-any-method' : lower;
}

/**
 * The operation an event writes at `path`/`method`, created or completed (a body may describe the method and
 * leave its integration to the event). Generated nodes point back at the event through `origins`.
 */
export function eventOperation(
  doc: JsonObject,
  path: string,
  method: string,
  ev: SamEvent,
  origins: WeakMap<object, Loc>,
  problems: Problems,
): JsonObject | undefined {
  if (!isRecord(doc['paths'])) doc['paths'] = {};
  const paths = doc['paths'] as JsonObject;
  if (!isRecord(paths[path])) {
    paths[path] = {};
    origins.set(paths[path] as JsonObject, at(ev.props.loc, 'Path'));
  }
  const item = paths[path] as JsonObject;
  const key = operationKey(method);
  if (isRecord(item[key]) && 'x-amazon-apigateway-integration' in item[key]) {
    problems.add(ev.loc, `API method '${key}' defined multiple times for path '${path}'`);
    return undefined;
  }
  const op: JsonObject = isRecord(item[key]) ? item[key] : {};
  item[key] = op;
  op['responses'] ??= {};
  origins.set(op, ev.loc);
  return op;
}
