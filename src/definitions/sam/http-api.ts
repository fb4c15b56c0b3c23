/**
 * `AWS::Serverless::HttpApi` (explicit, or the implicit `ServerlessHttpApi`): OpenAPI 3 document with the events'
 * Lambda routes (payload 2.0 unless the event says 1.0), `CorsConfiguration` merged over the body's
 * `x-amazon-apigateway-cors`, `Auth`, and the stage (`$default` unless `StageName`) (AWS SAM Developer Guide
 * "AWS::Serverless::HttpApi", "HttpApiCorsConfiguration", "HttpApi" event source type).
 */
import type { TemplateResource } from '../model.js';
import type { Loc } from '../errors.js';
import { ApiBuilder } from '../apigateway/api-builder.js';
import { httpRouteSettings } from '../apigateway/settings.js';
import { loadOpenApi } from '../openapi/index.js';
import { isRecord, type Fields, type JsonObject } from '../values.js';
import type { TemplateContext } from '../cloudformation/context.js';
import { applyHttpApiProperties } from '../cloudformation/http-api.js';
import { applySamAuth } from './auth.js';
import { eventOperation, lambdaInvocationUri, type SamEvent } from './events.js';
import { addSamDomain, samDefinition } from './rest-api.js';

/** `CorsConfiguration: true` allows every origin; an object is written over the body's CORS ("properties take precedence"). */
function addCors(doc: JsonObject, f: Fields): void {
  const raw = f.raw('CorsConfiguration');
  if (raw === undefined || raw === false) return;
  const existing = isRecord(doc['x-amazon-apigateway-cors']) ? doc['x-amazon-apigateway-cors'] : {};
  let cors: JsonObject;
  if (raw === true) {
    cors = { allowOrigins: ['*'] };
  } else if (typeof raw === 'string') {
    cors = { allowOrigins: [raw] };
  } else {
    const c = f.fields('CorsConfiguration');
    if (!c) return;
    cors = Object.fromEntries(Object.entries(c.obj).map(([key, value]) => [key[0]!.toLowerCase() + key.slice(1), value]));
    if (cors['allowCredentials'] === true && Array.isArray(cors['allowOrigins']) && cors['allowOrigins'].includes('*')) {
      f.problems.add(f.at('CorsConfiguration'), "AllowCredentials cannot be true when AllowOrigins is '*'");
    }
  }
  doc['x-amazon-apigateway-cors'] = { ...existing, ...cors };
}

export async function createSamHttpApi(ctx: TemplateContext, r: TemplateResource, events: SamEvent[]): Promise<void> {
  const f = ctx.props(r);
  const origins = new WeakMap<object, Loc>();
  const { doc, loc } = await samDefinition(ctx, r, f, () => ({ openapi: '3.0.1', info: { version: '1.0', title: f.str('Name') ?? ctx.template.env.stackName }, paths: {} }));
  if (isRecord(doc)) {
    const eventOps = new Map<object, SamEvent>();
    for (const ev of events) {
      // Without Path and Method the event is the `$default` route.
      const path = ev.props.str('Path') ?? '$default';
      const method = ev.props.str('Method') ?? 'ANY';
      const op = eventOperation(doc, path, method, ev, origins, ctx.problems);
      if (!op) continue;
      eventOps.set(op, ev);
      const timeout = ev.props.int('TimeoutInMillis');
      const integration: JsonObject = {
        type: 'aws_proxy',
        httpMethod: 'POST',
        uri: lambdaInvocationUri(ctx.template.env, String(ev.owner.attributes['Arn'])),
        payloadFormatVersion: ev.props.str('PayloadFormatVersion') ?? '2.0',
        ...(timeout !== undefined && { timeoutInMillis: timeout }),
      };
      origins.set(integration, ev.loc);
      op['x-amazon-apigateway-integration'] = integration;
    }
    addCors(doc, f);
    applySamAuth(doc, f, 'HTTP', ctx.template.env, eventOps, origins);
  }
  const name = f.str('Name');
  const builder =
    loadOpenApi({ doc, loc, problems: ctx.problems, id: r.physicalId, protocol: 'HTTP', logicalId: r.logicalId, origins, ...(name && { name }) }) ??
    new ApiBuilder({ protocol: 'HTTP', id: r.physicalId, name: name ?? r.logicalId, source: r.source, logicalId: r.logicalId }, ctx.problems);
  applyHttpApiProperties(builder, f, undefined);
  const stageName = f.str('StageName') ?? '$default';
  const stage = builder.stage(stageName);
  Object.assign(stage.variables, f.strMap('StageVariables'));
  Object.assign(stage.methodSettings, httpRouteSettings(f, ctx.problems));
  addSamDomain(ctx, f, builder, stageName);
  ctx.apis.set(r.physicalId, builder);
}
