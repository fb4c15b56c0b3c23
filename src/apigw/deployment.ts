/**
 * A deployment: the loaded definitions compiled once for serving — route trees, each route's
 * chain of stages (templates, validators and mappings compiled inside them), gateway responses,
 * and the lookup from a request's host and path to an API and stage.
 * AWS docs: "Invoke a REST API" (https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/...),
 * "Custom domain names" (base path mappings), HTTP API "$default stage".
 */
import { createHash } from 'node:crypto';
import type { Api, CustomDomain, Project, Route } from '../definitions/model.js';
import { ResourceTree, RouteConflictError } from './router/resource-tree.js';
import { buildStages, type Stage } from './pipeline.js';
import type { GatewayServices } from './services.js';
import { compileGatewayResponses, type GatewayResponses } from './response/gateway-responses.js';
import { compileCors, type CompiledCors } from './response/cors.js';
import { mediaTypeMatcher } from './request/media-types.js';

export interface CompiledStage {
  name: string;
  variables: Record<string, string>;
  /** HTTP API `$default`: served without a stage prefix. */
  isDefault: boolean;
}

export interface CompiledRoute {
  definition: Route;
  resourcePath: string;
  resourceId: string;
  routeKey: string;
  stages: Stage[];
}

export interface CompiledApi {
  id: string;
  name: string;
  protocol: 'REST' | 'HTTP';
  accountId: string;
  region: string;
  definition: Api;
  stages: Map<string, CompiledStage>;
  routes: ResourceTree<CompiledRoute>;
  /** HTTP API `$default` route. */
  defaultRoute: CompiledRoute | null;
  gatewayResponses: GatewayResponses;
  isBinaryMediaType: (contentType: string | undefined) => boolean;
  cors: CompiledCors | null;
}

/** What the server needs to pick an API for a request. */
export interface ApiTarget {
  api: CompiledApi;
  stage: CompiledStage;
  /** Path after the stage prefix (or base path), starting with '/'. */
  rawPath: string;
  /** True when no stage matched: the API is known (its gateway responses apply) but nothing is routed. */
  stageNotFound: boolean;
}

/** A problem found while compiling: the definition place and what is wrong. */
export interface CompileProblem {
  file: string;
  pointer: string;
  message: string;
}

export class CompileError extends Error {
  constructor(readonly problems: CompileProblem[]) {
    super(problems.map((p) => `${p.file}#${p.pointer}: ${p.message}`).join('\n'));
    this.name = 'CompileError';
  }
}

export class Deployment {
  readonly apis: CompiledApi[];
  readonly #domains: CustomDomain[];

  constructor(apis: CompiledApi[], domains: CustomDomain[]) {
    this.apis = apis;
    this.#domains = domains;
  }

  /**
   * Finds the API for a request: custom domain base path mappings by Host, then
   * `{apiId}.execute-api.*` hosts, then `/{stage}/...` over the REST APIs and named HTTP API
   * stages, then an HTTP API `$default` stage.
   */
  resolve(host: string, rawPath: string): ApiTarget | null {
    const hostname = host.replace(/:\d+$/, '').toLowerCase();
    if (this.#domains.length > 0) {
      const domain = this.#domains.find((d) => d.domainName.toLowerCase() === hostname);
      if (domain !== undefined) return this.#resolveDomain(domain, rawPath);
    }
    const apiIdFromHost = hostname.includes('.execute-api.') ? /^([a-z0-9]{10})\.execute-api\./.exec(hostname)?.[1] : undefined;
    const candidates = apiIdFromHost === undefined ? this.apis : this.apis.filter((api) => api.id === apiIdFromHost);

    const [first, rest] = splitFirstSegment(rawPath);
    for (const api of candidates) {
      const stage = api.stages.get(first);
      if (stage !== undefined && !stage.isDefault) return { api, stage, rawPath: rest, stageNotFound: false };
    }
    for (const api of candidates) {
      for (const stage of api.stages.values()) if (stage.isDefault) return { api, stage, rawPath: rawPath === '' ? '/' : rawPath, stageNotFound: false };
    }
    // One API can answer with its own gateway responses even for a stage it does not have.
    if (candidates.length === 1) {
      const api = candidates[0]!;
      return { api, stage: { name: first, variables: {}, isDefault: false }, rawPath: rest, stageNotFound: true };
    }
    return null;
  }

  #resolveDomain(domain: CustomDomain, rawPath: string): ApiTarget | null {
    const [first, rest] = splitFirstSegment(rawPath);
    const mapping =
      domain.mappings.find((m) => m.basePath !== '' && m.basePath === first) ?? domain.mappings.find((m) => m.basePath === '');
    if (mapping === undefined) return null;
    const api = this.apis.find((a) => a.id === mapping.apiId);
    const stage = api?.stages.get(mapping.stage);
    if (api === undefined || stage === undefined) return null;
    return { api, stage, rawPath: mapping.basePath === '' ? rawPath : rest, stageNotFound: false };
  }

  /** The first API's protocol decides the not-found answer when no API matched at all. */
  get primaryProtocol(): 'REST' | 'HTTP' {
    return this.apis[0]?.protocol ?? 'REST';
  }
}

function splitFirstSegment(rawPath: string): [string, string] {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  if (slash === -1) return [decodeSegment(path), '/'];
  return [decodeSegment(path.slice(0, slash)), path.slice(slash)];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function compileDeployment(project: Project, services: GatewayServices): Deployment {
  const problems: CompileProblem[] = [];
  const apis = project.apis.map((api) => compileApi(api, project, services, problems));
  if (problems.length > 0) throw new CompileError(problems);
  return new Deployment(apis, project.domains);
}

function compileApi(api: Api, project: Project, services: GatewayServices, problems: CompileProblem[]): CompiledApi {
  const compiled: CompiledApi = {
    id: api.id,
    name: api.name,
    protocol: api.protocol,
    accountId: project.accountId,
    region: project.region,
    definition: api,
    stages: new Map(api.stages.map((s) => [s.name, { name: s.name, variables: s.variables, isDefault: s.isDefault }])),
    routes: new ResourceTree(),
    defaultRoute: null,
    gatewayResponses: collect(problems, api.source, () => compileGatewayResponses(api)) ?? compileGatewayResponses({ ...api, gatewayResponses: {} }),
    isBinaryMediaType: mediaTypeMatcher(api.binaryMediaTypes),
    cors: api.cors === undefined ? null : compileCors(api.cors),
  };
  for (const route of api.routes) {
    const stages = collect(problems, route.source, () => buildStages({ route, api: compiled, services }));
    if (stages === undefined) continue;
    const compiledRoute: CompiledRoute = {
      definition: route,
      resourcePath: route.path,
      resourceId: shortId(`${api.id}:${route.path}`, 6),
      routeKey: route.routeKey,
      stages,
    };
    if (route.path === '$default') {
      compiled.defaultRoute = compiledRoute;
      continue;
    }
    try {
      compiled.routes.add(route.path, route.method, compiledRoute);
    } catch (error) {
      if (!(error instanceof RouteConflictError)) throw error;
      problems.push({ ...route.source, message: error.message });
    }
  }
  return compiled;
}

/** Runs a compile step, turning a thrown error into a problem at `source`. */
function collect<T>(problems: CompileProblem[], source: { file: string; pointer: string }, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (error instanceof CompileError) problems.push(...error.problems);
    else problems.push({ file: source.file, pointer: source.pointer, message: (error as Error).message });
    return undefined;
  }
}

/** Lower-case alphanumerics like API Gateway's ids, stable for the same input. */
export function shortId(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}
