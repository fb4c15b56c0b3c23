/** The route table printed by `gatehouse routes` and at the start of `gatehouse serve`. */
import type { Project, Route } from '../definitions/model.js';

export function routeTable(project: Project, apiBaseUrl?: string): string {
  const lines: string[] = [];
  for (const api of project.apis) {
    const stages = api.stages.map((s) => s.name).join(', ') || '(none)';
    lines.push(`${api.protocol} API ${api.name} (id ${api.id}) stages: ${stages}`);
    const urls = apiBaseUrl === undefined ? [] : api.stages.map((s) => (s.isDefault ? `${apiBaseUrl}/` : `${apiBaseUrl}/${s.name}/`));
    for (const url of urls) lines.push(`  ${url}`);
    const width = Math.max(0, ...api.routes.map((r) => r.method.length));
    const sorted = [...api.routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    for (const route of sorted) lines.push(`  ${route.method.padEnd(width)}  ${route.path}  -> ${describeIntegration(route)}`);
  }
  if (project.apis.length === 0) lines.push('no APIs defined');
  return lines.join('\n');
}

function describeIntegration(route: Route): string {
  const integration = route.integration;
  const target =
    integration.type === 'MOCK'
      ? ''
      : ` ${integration.connectionType === 'VPC_LINK' ? `vpc-link ${integration.connectionId ?? ''} ` : ''}${integration.uri}`;
  const subtype = integration.integrationSubtype === undefined ? '' : ` ${integration.integrationSubtype}`;
  const auth = route.authorizationType !== 'NONE' ? ` [${route.authorizationType}${route.authorizerName === undefined ? '' : ` ${route.authorizerName}`}]` : '';
  const key = route.apiKeyRequired ? ' [api key]' : '';
  return `${integration.type}${subtype}${target}${auth}${key}`;
}
