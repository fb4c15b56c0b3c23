/**
 * THE request chain, in API Gateway's order. Each stage is built once per route at deployment
 * time from the route's definition; a stage with nothing to do for a route is left out, so a
 * request pays only for what its method uses.
 *   route -> protect -> validate -> [stage cache: integration request -> integrate] -> integration response -> method response
 * Routing happens before a route exists (server/dispatch); failures anywhere become gateway responses.
 * AWS docs: "Set up REST API methods" / "Integration request" / "Integration response" / "Method response".
 */
import type { RequestContext } from './context.js';
import type { CompiledApi } from './deployment.js';
import type { Route } from '../definitions/model.js';
import type { GatewayServices } from './services.js';
import { protectStage } from './stages/protect.js';
import { validateStage } from './stages/validate.js';
import { integrationRequestStage } from './stages/integration-request.js';
import { integrateStage } from './stages/integrate.js';
import { integrationResponseStage } from './stages/integration-response.js';
import { methodResponseStage } from './stages/method-response.js';
import { responseCacheStage } from './stages/response-cache.js';

export type Stage = (ctx: RequestContext) => void | Promise<void>;

/** What a stage factory gets: the route being compiled, its API and the services integrations call. */
export interface StageBuildInput {
  route: Route;
  api: CompiledApi;
  services: GatewayServices;
}

/** Builds the stage(s) for a route, or null when the route needs none. Throws on a definition the gateway cannot serve. */
export type StageFactory = (input: StageBuildInput) => Stage | readonly Stage[] | null;

/** The order of the chain. Later work (auth, caching) adds to `protect`, never reorders. */
export const CHAIN: readonly StageFactory[] = [
  protectStage,
  validateStage,
  // A cached method answers from the stage cache instead of fetching; uncached routes get the stages unwrapped.
  responseCacheStage([integrationRequestStage, integrateStage], [integrationResponseStage, methodResponseStage]),
];

export function buildStages(input: StageBuildInput): Stage[] {
  return CHAIN.flatMap((factory) => factory(input) ?? []);
}

/**
 * Runs the stages in order. Synchronous stages do not pay for a promise; the first asynchronous
 * one hands over to the async loop.
 */
export function runStages(stages: readonly Stage[], ctx: RequestContext): void | Promise<void> {
  for (let i = 0; i < stages.length; i++) {
    const result = stages[i]!(ctx);
    if (result !== undefined) return continueAsync(stages, ctx, i, result);
  }
}

async function continueAsync(stages: readonly Stage[], ctx: RequestContext, index: number, pending: Promise<void>): Promise<void> {
  await pending;
  for (let i = index + 1; i < stages.length; i++) await stages[i]!(ctx);
}
