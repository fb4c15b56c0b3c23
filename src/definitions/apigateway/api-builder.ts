/**
 * Assembles one `Api` from any definition format and checks what API Gateway checks when it deploys: one
 * integration per method, known models / validators / authorizers (API Gateway Developer Guide "Import a REST
 * API", "Working with models and mapping templates").
 */
import type { Api, ApiProtocol, JsonSchema, Route, SourceRef, Stage } from '../model.js';
import { at, displayPath, type Loc, type Problems } from '../errors.js';
import { isRecord } from '../values.js';

export interface ApiInit {
  protocol: ApiProtocol;
  id: string;
  name: string;
  source: SourceRef;
  logicalId?: string;
}

/** A `$ref` to a model of the same API, in any of the spellings exports and imports use. */
const MODEL_REF = /^(?:#\/definitions\/|#\/components\/schemas\/|https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/)([^/]+)/;

export function modelNameOfRef(ref: string): string | undefined {
  return MODEL_REF.exec(ref)?.[1];
}

export function newStage(name: string, isDefault = name === '$default'): Stage {
  return { name, variables: {}, methodSettings: {}, isDefault };
}

export class ApiBuilder {
  readonly api: Api;
  private readonly checks: (() => void)[] = [];
  private readonly modelLocs = new Map<string, Loc>();

  constructor(
    init: ApiInit,
    readonly problems: Problems,
  ) {
    const rest = init.protocol === 'REST';
    this.api = {
      id: init.id,
      name: init.name,
      protocol: init.protocol,
      ...(init.logicalId && { logicalId: init.logicalId }),
      source: init.source,
      stages: [],
      routes: [],
      models: {},
      requestValidators: {},
      gatewayResponses: {},
      binaryMediaTypes: [],
      apiKeySource: 'HEADER',
      // REST APIs default to edge-optimized, HTTP APIs are regional only.
      endpointType: rest ? 'EDGE' : 'REGIONAL',
      disableExecuteApiEndpoint: false,
      authorizers: {},
    };
  }

  addRoute(route: Route, loc: Loc): void {
    const clash = this.api.routes.find((r) => r.method === route.method && r.path === route.path);
    if (clash) {
      const other = `${clash.source.file === loc.file ? '' : displayPath(clash.source.file)}#${clash.source.pointer}`;
      this.problems.add(loc, `${route.routeKey} is defined twice (also at ${other})`);
      return;
    }
    this.api.routes.push(route);
  }

  addModel(name: string, schema: unknown, loc: Loc): void {
    if (!isRecord(schema)) {
      this.problems.add(loc, 'a model schema must be an object');
      return;
    }
    this.api.models[name] = schema as JsonSchema;
    this.modelLocs.set(name, loc);
  }

  requireModel(name: string, loc: Loc): void {
    this.checks.push(() => {
      if (!(name in this.api.models)) this.problems.add(loc, `model '${name}' is not defined`);
    });
  }

  requireValidator(name: string, loc: Loc): void {
    this.checks.push(() => {
      if (!(name in this.api.requestValidators)) this.problems.add(loc, `request validator '${name}' is not defined`);
    });
  }

  requireAuthorizer(name: string, loc: Loc): void {
    this.checks.push(() => {
      if (!(name in this.api.authorizers)) this.problems.add(loc, `authorizer '${name}' is not defined`);
    });
  }

  stage(name: string): Stage {
    let stage = this.api.stages.find((s) => s.name === name);
    if (!stage) {
      stage = newStage(name, this.api.protocol === 'HTTP' && name === '$default');
      this.api.stages.push(stage);
    }
    return stage;
  }

  /** Runs the deferred checks; models may be declared after the methods that use them. */
  finish(): Api {
    for (const check of this.checks) check();
    for (const [name, loc] of this.modelLocs) this.checkModelRefs(this.api.models[name], loc);
    return this.api;
  }

  private checkModelRefs(node: unknown, loc: Loc): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => this.checkModelRefs(item, at(loc, i)));
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const child = at(loc, key);
      if (key === '$ref' && typeof value === 'string') {
        const name = modelNameOfRef(value);
        if (name === undefined) this.problems.add(child, `unsupported $ref ${JSON.stringify(value)}: only models of this API can be referenced`);
        else if (!(name in this.api.models)) this.problems.add(child, `$ref to a missing model '${name}'`);
      } else {
        this.checkModelRefs(value, child);
      }
    }
  }
}
