/** Shared state of one OpenAPI import and local `$ref` resolution (OpenAPI 3.0 "Reference Object", Swagger 2.0 "Reference Object"). */
import type { ApiProtocol } from '../model.js';
import type { ApiBuilder } from '../apigateway/api-builder.js';
import { type Loc, type Problems, unescapeToken } from '../errors.js';
import { isRecord, type JsonObject } from '../values.js';

export interface SchemeInfo {
  kind: 'authorizer' | 'iam' | 'apiKey' | 'other';
  /** Lower-case authorizer type, for `kind: 'authorizer'`. */
  authorizerType?: string;
}

export interface OpenApiContext {
  doc: JsonObject;
  /** Where the document itself is: a file root, or `/Resources/X/Properties/Body` of a template. */
  root: Loc;
  problems: Problems;
  version: 2 | 3;
  protocol: ApiProtocol;
  builder: ApiBuilder;
  schemes: Map<string, SchemeInfo>;
  /** Nodes that a generator (the SAM layer) wrote point back at what generated them. */
  origins: WeakMap<object, Loc> | undefined;
}

/** The location of `node`, preferring where a generator says it came from. */
export function locOf(ctx: OpenApiContext, node: unknown, fallback: Loc): Loc {
  return (isRecord(node) && ctx.origins?.get(node)) || fallback;
}

/**
 * Follows local `$ref`s (`#/components/...`) to the referenced value; its location is the referenced node.
 * A missing target is a problem; chains are followed up to a few hops.
 */
export function deref(ctx: OpenApiContext, value: unknown, loc: Loc): { value: unknown; loc: Loc } {
  let current = value;
  let currentLoc = loc;
  for (let hops = 0; hops < 8 && isRecord(current) && typeof current['$ref'] === 'string'; hops++) {
    const ref = current['$ref'];
    if (!ref.startsWith('#/')) {
      ctx.problems.add(currentLoc, `unsupported $ref ${JSON.stringify(ref)}: only references inside the document are supported`);
      return { value: undefined, loc: currentLoc };
    }
    let target: unknown = ctx.doc;
    for (const token of ref.slice(2).split('/').map(unescapeToken)) {
      target = isRecord(target) ? target[token] : Array.isArray(target) ? target[Number(token)] : undefined;
    }
    if (target === undefined) {
      ctx.problems.add(currentLoc, `$ref ${JSON.stringify(ref)} points to nothing`);
      return { value: undefined, loc: currentLoc };
    }
    current = target;
    currentLoc = { file: ctx.root.file, pointer: ctx.root.pointer + ref.slice(1) };
  }
  return { value: current, loc: currentLoc };
}
