/**
 * Integrate: calls the route's integration (built once from the registry) and times it.
 * Reads: ctx.integrationRequest (or ctx.request for Lambda proxy). Writes: ctx.endpointResponse,
 * ctx.integrationLatency.
 */
import type { Stage, StageBuildInput } from '../pipeline.js';
import { createIntegration } from '../integrations/index.js';

export function integrateStage(input: StageBuildInput): Stage {
  const integration = createIntegration(input);
  return (ctx) => {
    const started = performance.now();
    const result = integration.invoke(ctx);
    if (result === undefined) {
      ctx.integrationLatency = Math.round(performance.now() - started);
      return;
    }
    return result.then(() => {
      ctx.integrationLatency = Math.round(performance.now() - started);
    });
  };
}
