/**
 * Route matching as API Gateway does it: literal segments before `{param}` before `{proxy+}`,
 * a method before `ANY`, and a path whose best resource lacks the method falls back to the next
 * resource that matches (a `{proxy+}` sibling answers methods a literal resource does not define).
 * AWS docs: "Set up a proxy integration with a proxy resource" and HTTP API "Working with routes"
 * (the most specific match wins; `$default` catches the rest).
 */

export interface RouteMatch<T> {
  route: T;
  pathParameters: Record<string, string>;
}

interface Node<T> {
  literal: Map<string, Node<T>>;
  /** `{name}` child. */
  param: { name: string; node: Node<T> } | null;
  /** `{name+}` child: matches one or more remaining segments. */
  greedy: { name: string; node: Node<T> } | null;
  /** Method (uppercase or ANY) -> route. */
  methods: Map<string, T>;
  /** Names of the variables on the way from the root to this node, in order. */
  paramNames: string[];
}

function newNode<T>(paramNames: string[]): Node<T> {
  return { literal: new Map(), param: null, greedy: null, methods: new Map(), paramNames };
}

export class RouteConflictError extends Error {}

export class ResourceTree<T> {
  readonly #root: Node<T> = newNode([]);

  /** Adds a route at `/a/{b}/{c+}` for `method`. Throws RouteConflictError on a duplicate or conflicting parameter names. */
  add(path: string, method: string, route: T): void {
    let node = this.#root;
    for (const segment of splitResourcePath(path)) {
      const param = /^\{([^{}]+?)(\+?)\}$/.exec(segment);
      if (param === null) {
        let next = node.literal.get(segment);
        if (next === undefined) node.literal.set(segment, (next = newNode(node.paramNames)));
        node = next;
        continue;
      }
      const [, name, plus] = param as unknown as [string, string, string];
      const slot = plus === '+' ? 'greedy' : 'param';
      const existing = node[slot];
      if (existing !== null && existing.name !== name) {
        throw new RouteConflictError(
          `${path}: a sibling resource already uses {${existing.name}${plus}}; API Gateway allows one variable per level`,
        );
      }
      if (existing === null) node[slot] = { name, node: newNode([...node.paramNames, name]) };
      node = node[slot]!.node;
    }
    if (node.methods.has(method)) throw new RouteConflictError(`${method} ${path} is defined twice`);
    node.methods.set(method, route);
  }

  /**
   * Finds the route for a request path (stage prefix removed, still percent-encoded) and method.
   * Path parameters come back percent-decoded.
   */
  match(rawPath: string, method: string): RouteMatch<T> | null {
    const segments = splitRequestPath(rawPath);
    return this.#walk(this.#root, segments, 0, method, []);
  }

  /** Depth-first in precedence order; `params` holds the values captured on the way down. */
  #walk(node: Node<T>, segments: string[], index: number, method: string, params: string[]): RouteMatch<T> | null {
    if (index === segments.length) {
      const route = node.methods.get(method) ?? node.methods.get('ANY');
      if (route === undefined) return null;
      return { route, pathParameters: pairNames(node.paramNames, params) };
    }
    const segment = segments[index]!;
    const literal = node.literal.get(segment);
    if (literal !== undefined) {
      const found = this.#walk(literal, segments, index + 1, method, params);
      if (found !== null) return found;
    }
    if (node.param !== null && segment !== '') {
      params.push(segment);
      const found = this.#walk(node.param.node, segments, index + 1, method, params);
      params.pop();
      if (found !== null) return found;
    }
    if (node.greedy !== null) {
      const route = node.greedy.node.methods.get(method) ?? node.greedy.node.methods.get('ANY');
      if (route !== undefined) {
        return { route, pathParameters: pairNames(node.greedy.node.paramNames, [...params, segments.slice(index).join('/')]) };
      }
    }
    return null;
  }
}

function pairNames(names: string[], values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) out[names[i]!] = safeDecode(values[i]!);
  return out;
}

/** '/a/{b}' -> ['a', '{b}']; '/' -> []. */
export function splitResourcePath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/**
 * A request path keeps empty segments (`//` reaches a greedy parameter intact) but one trailing
 * slash is ignored, as API Gateway does: `/proxy-value/` captures `proxy-value`.
 */
export function splitRequestPath(rawPath: string): string[] {
  let path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path.endsWith('/')) path = path.slice(0, -1);
  return path === '' ? [] : path.split('/');
}

export function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
