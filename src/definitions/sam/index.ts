/**
 * The SAM transform's API part: each event goes to the API it names (`RestApiId` / `ApiId`, which must be a SAM
 * API of the template) or to the implicit API (AWS SAM Developer Guide "Api" and "HttpApi" event properties).
 */
import type { TemplateContext } from '../cloudformation/context.js';
import { collectEvents, type SamEvent } from './events.js';
import { createSamHttpApi } from './http-api.js';
import { IMPLICIT_HTTP_API, IMPLICIT_REST_API } from './implicit.js';
import { createSamRestApi } from './rest-api.js';

const TARGET = {
  Api: { key: 'RestApiId', type: 'AWS::Serverless::Api', implicit: IMPLICIT_REST_API },
  HttpApi: { key: 'ApiId', type: 'AWS::Serverless::HttpApi', implicit: IMPLICIT_HTTP_API },
} as const;

export async function buildSamApis(ctx: TemplateContext): Promise<void> {
  const byApi = new Map<string, SamEvent[]>();
  for (const ev of collectEvents(ctx)) {
    const target = TARGET[ev.type];
    const id = ev.props.str(target.key);
    const api = id === undefined ? ctx.byLogicalId.get(target.implicit) : ctx.byPhysicalId(id, target.type);
    if (!api) {
      if (id !== undefined) ctx.problems.add(ev.props.at(target.key), `${target.key} must refer to an ${target.type} resource of this template`);
      continue;
    }
    byApi.set(api.logicalId, [...(byApi.get(api.logicalId) ?? []), ev]);
  }
  for (const r of ctx.ofType('AWS::Serverless::Api')) await createSamRestApi(ctx, r, byApi.get(r.logicalId) ?? []);
  for (const r of ctx.ofType('AWS::Serverless::HttpApi')) await createSamHttpApi(ctx, r, byApi.get(r.logicalId) ?? []);
}
