/**
 * Resources the SAM transform generates that templates refer to: the implicit `ServerlessRestApi` (stage `Prod`)
 * and `ServerlessHttpApi` (stage `$default`) for events without an API, every API's stage resource, the
 * usage plans, keys and plan keys of `Auth.UsagePlan`, and `<Function>Role` execution roles (AWS SAM Developer Guide "AWS::Serverless::Api" / "Generated AWS
 * CloudFormation resources for AWS SAM").
 */
import { at } from '../errors.js';
import { isRecord, type JsonObject } from '../values.js';
import type { Template } from '../cloudformation/template.js';
import { withGlobals } from './globals.js';

export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';
/** The stage of the implicit REST API ("AWS::Serverless::Api": "the implicit API's stage is named Prod"). */
export const IMPLICIT_REST_STAGE = 'Prod';

/** Raw `Events` entries of a function or state machine: [name, type, properties]. */
export function rawEvents(properties: JsonObject): [string, string, JsonObject][] {
  const events = isRecord(properties['Events']) ? properties['Events'] : {};
  return Object.entries(events).flatMap(([name, event]): [string, string, JsonObject][] => {
    if (!isRecord(event) || typeof event['Type'] !== 'string') return [];
    return [[name, event['Type'], isRecord(event['Properties']) ? event['Properties'] : {}]];
  });
}

/** Call after `applyGlobals`: a function's Role may come from Globals. */
export function addImplicitResources(template: Template): void {
  for (const resource of [...template.resources.values()]) {
    const isFunction = resource.type === 'AWS::Serverless::Function';
    if (!isFunction && resource.type !== 'AWS::Serverless::StateMachine') continue;
    for (const [name, type, props] of rawEvents(resource.properties)) {
      const loc = at(resource.loc, 'Properties', 'Events', name);
      if (type === 'Api' && props['RestApiId'] === undefined) {
        // Globals.Api configures the implicit API too; its stage stays Prod.
        const properties = { ...withGlobals(template, 'AWS::Serverless::Api', {}), StageName: IMPLICIT_REST_STAGE };
        template.addImplicit({ logicalId: IMPLICIT_REST_API, type: 'AWS::Serverless::Api', properties, loc });
      }
      if (type === 'HttpApi' && props['ApiId'] === undefined) {
        template.addImplicit({ logicalId: IMPLICIT_HTTP_API, type: 'AWS::Serverless::HttpApi', properties: withGlobals(template, 'AWS::Serverless::HttpApi', {}), loc });
      }
      // A state machine behind an API is started with a role SAM creates per event.
      if (!isFunction && type === 'Api') {
        template.addImplicit({ logicalId: `${resource.logicalId}${name}Role`, type: 'AWS::IAM::Role', properties: {}, loc });
      }
    }
    if (resource.properties['Role'] === undefined) {
      const condition = resource.condition === undefined ? {} : { condition: resource.condition };
      template.addImplicit({ logicalId: `${resource.logicalId}Role`, type: 'AWS::IAM::Role', properties: {}, loc: resource.loc, ...condition });
    }
  }
  addImplicitStages(template);
  addUsagePlans(template);
}

/**
 * The stage resource SAM generates for every API, so `DependsOn` and `Ref` can name it (e.g. a usage
 * plan that depends on `MyApiProdStage`): `<api><stage-name>Stage`, and `<api>ApiGatewayDefaultStage`
 * for an HTTP API without StageName (AWS SAM Developer Guide "CloudFormation resources generated when
 * AWS::Serverless::Api is specified" / "... AWS::Serverless::HttpApi is specified").
 */
function addImplicitStages(template: Template): void {
  for (const api of [...template.resources.values()]) {
    const rest = api.type === 'AWS::Serverless::Api';
    if (!rest && api.type !== 'AWS::Serverless::HttpApi') continue;
    const written = api.properties['StageName'];
    const stageName = written === undefined ? (rest ? undefined : '$default') : stageNameOf(template, written);
    // A missing REST StageName is reported with the API; a name only known later has no logical id yet.
    if (stageName === undefined) continue;
    const suffix = stageName === '$default' && !rest ? 'ApiGatewayDefault' : stageName;
    if (!/^[A-Za-z0-9]+$/.test(suffix)) continue;
    const condition = api.condition === undefined ? {} : { condition: api.condition };
    const properties = rest ? { RestApiId: { Ref: api.logicalId }, StageName: stageName } : { ApiId: { Ref: api.logicalId }, StageName: stageName };
    template.addImplicit({ logicalId: `${api.logicalId}${suffix}Stage`, type: rest ? 'AWS::ApiGateway::Stage' : 'AWS::ApiGatewayV2::Stage', properties, loc: api.loc, ...condition });
  }
}

/** A StageName written as text or as a `Ref` to a template parameter. */
function stageNameOf(template: Template, written: unknown): string | undefined {
  if (typeof written === 'string') return written;
  const ref = isRecord(written) ? written['Ref'] : undefined;
  const value = typeof ref === 'string' ? template.parameters.get(ref)?.value : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** What `Auth.UsagePlan` passes on to the generated AWS::ApiGateway::UsagePlan (SAM "ApiUsagePlan"). */
const PLAN_PROPERTIES = ['Description', 'Quota', 'Tags', 'Throttle', 'UsagePlanName'];

/**
 * An Api's `Auth.UsagePlan` (SAM "ApiUsagePlan"): PER_API generates `<api>UsagePlan`, `<api>ApiKey`
 * and `<api>UsagePlanKey`; SHARED one `ServerlessUsagePlan` / `ServerlessApiKey` /
 * `ServerlessUsagePlanKey` for every API that asks for it. The key is enabled and bound to the
 * API's stage, as the SAM transform writes it.
 */
function addUsagePlans(template: Template): void {
  for (const api of [...template.resources.values()]) {
    if (api.type !== 'AWS::Serverless::Api') continue;
    const auth = api.properties['Auth'];
    const usage = isRecord(auth) && isRecord(auth['UsagePlan']) ? auth['UsagePlan'] : undefined;
    const mode = typeof usage?.['CreateUsagePlan'] === 'string' ? usage['CreateUsagePlan'].toUpperCase() : 'NONE';
    if (usage === undefined || (mode !== 'PER_API' && mode !== 'SHARED')) continue;
    const prefix = mode === 'SHARED' ? 'Serverless' : api.logicalId;
    const loc = at(api.loc, 'Properties', 'Auth', 'UsagePlan');
    const condition = mode === 'PER_API' && api.condition !== undefined ? { condition: api.condition } : {};
    const stage = { Ref: `${api.logicalId}.Stage` };
    const settings = Object.fromEntries(PLAN_PROPERTIES.filter((k) => usage[k] !== undefined).map((k) => [k, usage[k]]));
    const plan = template.addImplicit({ logicalId: `${prefix}UsagePlan`, type: 'AWS::ApiGateway::UsagePlan', properties: { ...settings, ApiStages: [] }, loc, ...condition });
    (plan.properties['ApiStages'] as JsonObject[]).push({ ApiId: { Ref: api.logicalId }, Stage: stage });
    const key = template.addImplicit({ logicalId: `${prefix}ApiKey`, type: 'AWS::ApiGateway::ApiKey', properties: { Enabled: true, StageKeys: [] }, loc, ...condition });
    (key.properties['StageKeys'] as JsonObject[]).push({ RestApiId: { Ref: api.logicalId }, StageName: stage });
    template.addImplicit({
      logicalId: `${prefix}UsagePlanKey`,
      type: 'AWS::ApiGateway::UsagePlanKey',
      properties: { KeyId: { Ref: key.logicalId }, KeyType: 'API_KEY', UsagePlanId: { Ref: plan.logicalId } },
      loc,
      ...condition,
    });
  }
}
