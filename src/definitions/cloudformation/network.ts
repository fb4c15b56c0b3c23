/**
 * VPC links resolved to local upstreams through the template's load balancer target groups, and custom domain
 * base path mappings (CloudFormation "AWS::ApiGateway::VpcLink", "AWS::ApiGatewayV2::VpcLink",
 * "AWS::ElasticLoadBalancingV2::TargetGroup" / "::Listener", "AWS::ApiGateway::BasePathMapping",
 * "AWS::ApiGatewayV2::ApiMapping").
 */
import type { Api, CustomDomain, TemplateResource, VpcLink } from '../model.js';
import { isRecord, scalarString } from '../values.js';
import type { TemplateContext } from './context.js';

const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';

/** Target group ARNs a listener forwards to (default actions and listener rules). */
function listenerTargetGroups(ctx: TemplateContext, listener: TemplateResource): string[] {
  const arns: string[] = [];
  const fromActions = (actions: unknown): void => {
    for (const action of Array.isArray(actions) ? actions : []) {
      if (!isRecord(action)) continue;
      const direct = scalarString(action['TargetGroupArn']);
      if (direct) arns.push(direct);
      const forward = isRecord(action['ForwardConfig']) ? action['ForwardConfig']['TargetGroups'] : undefined;
      for (const tg of Array.isArray(forward) ? forward : []) {
        const arn = isRecord(tg) ? scalarString(tg['TargetGroupArn']) : undefined;
        if (arn) arns.push(arn);
      }
    }
  };
  fromActions(listener.properties['DefaultActions']);
  for (const rule of ctx.ofType('AWS::ElasticLoadBalancingV2::ListenerRule')) {
    if (rule.properties['ListenerArn'] === listener.physicalId) fromActions(rule.properties['Actions']);
  }
  return arns;
}

/** Target groups behind an ARN that is a target group, a listener or a load balancer of the template. */
function targetGroupsBehind(ctx: TemplateContext, arn: string): TemplateResource[] {
  const found = ctx.byPhysicalId(arn, TARGET_GROUP, LISTENER, LOAD_BALANCER);
  if (!found) return [];
  if (found.type === TARGET_GROUP) return [found];
  const listeners = found.type === LISTENER ? [found] : ctx.ofType(LISTENER).filter((l) => l.properties['LoadBalancerArn'] === arn);
  return listeners.flatMap((l) => listenerTargetGroups(ctx, l)).flatMap((tg) => (ctx.byPhysicalId(tg, TARGET_GROUP) ? [ctx.byPhysicalId(tg, TARGET_GROUP)!] : []));
}

/** `http://ip:port` for each IP target (instance targets have no address known here). */
function targetUrls(group: TemplateResource): string[] {
  const p = group.properties;
  const scheme = scalarString(p['Protocol'])?.toUpperCase() === 'HTTPS' ? 'https' : 'http';
  const targetType = scalarString(p['TargetType']) ?? 'instance';
  const urls: string[] = [];
  for (const target of Array.isArray(p['Targets']) ? p['Targets'] : []) {
    if (!isRecord(target)) continue;
    const id = scalarString(target['Id']);
    const port = scalarString(target['Port']) ?? scalarString(p['Port']);
    const isIp = id !== undefined && (targetType === 'ip' || /^[\d.]+$|:/.test(id));
    if (isIp && port) urls.push(`${scheme}://${id.includes(':') ? `[${id}]` : id}:${port}`);
  }
  return urls;
}

function healthCheck(group: TemplateResource | undefined): VpcLink['healthCheck'] {
  if (!group) return undefined;
  const p = group.properties;
  const n = (key: string, fallback: number): number => Number(scalarString(p[key]) ?? fallback);
  // ELB defaults: path `/`, every 30 s, 5 successes to be healthy, 2 failures to be unhealthy.
  return {
    path: scalarString(p['HealthCheckPath']) ?? '/',
    intervalSeconds: n('HealthCheckIntervalSeconds', 30),
    healthyThreshold: n('HealthyThresholdCount', 5),
    unhealthyThreshold: n('UnhealthyThresholdCount', 2),
  };
}

function link(id: string, logicalId: string, groups: TemplateResource[]): VpcLink {
  const health = healthCheck(groups[0]);
  return { id, logicalId, targets: [...new Set(groups.flatMap(targetUrls))], ...(health && { healthCheck: health }) };
}

export function buildVpcLinks(ctx: TemplateContext, apis: Api[]): VpcLink[] {
  const links: VpcLink[] = [];
  // REST: the link targets network load balancers.
  for (const r of ctx.ofType('AWS::ApiGateway::VpcLink')) {
    const arns = Array.isArray(r.properties['TargetArns']) ? r.properties['TargetArns'].map(scalarString) : [];
    links.push(link(r.physicalId, r.logicalId, arns.flatMap((arn) => (arn ? targetGroupsBehind(ctx, arn) : []))));
  }
  // HTTP APIs: the integration names the listener (or target group) that the link reaches.
  for (const r of ctx.ofType('AWS::ApiGatewayV2::VpcLink')) {
    const uris = apis
      .flatMap((api) => api.routes)
      .filter((route) => route.integration.connectionType === 'VPC_LINK' && route.integration.connectionId === r.physicalId)
      .map((route) => route.integration.uri);
    links.push(link(r.physicalId, r.logicalId, [...new Set(uris)].flatMap((uri) => targetGroupsBehind(ctx, uri))));
  }
  return links;
}

export function addDomainMapping(domains: CustomDomain[], domainName: string, mapping: CustomDomain['mappings'][number]): void {
  let domain = domains.find((d) => d.domainName === domainName);
  if (!domain) {
    domain = { domainName, mappings: [] };
    domains.push(domain);
  }
  domain.mappings.push(mapping);
}

/** `(none)` is how API Gateway spells the empty base path. */
export function basePath(value: unknown): string {
  const s = scalarString(value) ?? '';
  return s === '(none)' ? '' : s.replace(/^\/+|\/+$/g, '');
}

export function buildDomains(ctx: TemplateContext): void {
  const domains = ctx.domains;
  for (const r of ctx.ofType('AWS::ApiGateway::BasePathMapping', 'AWS::ApiGatewayV2::ApiMapping')) {
    const f = ctx.props(r);
    const v2 = r.type === 'AWS::ApiGatewayV2::ApiMapping';
    const domainName = f.str('DomainName', true);
    const api = ctx.apiOf(f, v2 ? 'ApiId' : 'RestApiId');
    if (!domainName || !api) continue;
    // Without a Stage the mapping exposes every stage as the first path segment: `stage` stays ''.
    addDomainMapping(domains, domainName, {
      basePath: basePath(f.raw(v2 ? 'ApiMappingKey' : 'BasePath')),
      apiId: api.api.id,
      stage: f.str('Stage', v2) ?? '',
    });
  }
  for (const r of ctx.ofType('AWS::ApiGateway::DomainName', 'AWS::ApiGatewayV2::DomainName')) {
    if (!domains.some((d) => d.domainName === r.physicalId)) domains.push({ domainName: r.physicalId, mappings: [] });
  }
}
