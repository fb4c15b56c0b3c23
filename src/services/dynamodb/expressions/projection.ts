/**
 * Projection of document paths (Developer Guide "Projection expressions"): the result keeps only
 * the requested attributes, nested map keys and list elements (list elements keep their relative
 * order and close up), so `a.b, c[1]` yields `{a: {M: {b}}, c: {L: [c[1]]}}`.
 */
import type { AttributeMap, AttributeValue } from '../types.js';
import type { Path } from './ast.js';

interface Node {
  leaf: boolean;
  children: Map<string | number, Node>;
}

/** A tree of the requested paths, built once per request. */
export class Projection {
  private readonly root: Node = { leaf: false, children: new Map() };

  constructor(readonly paths: readonly Path[]) {
    for (const path of paths) {
      let node = this.root;
      for (const step of path) {
        let child = node.children.get(step);
        if (child === undefined) {
          child = { leaf: false, children: new Map() };
          node.children.set(step, child);
        }
        node = child;
      }
      node.leaf = true;
    }
  }

  apply(item: AttributeMap): AttributeMap {
    const out: AttributeMap = {};
    for (const [name, node] of this.root.children) {
      const v = item[name as string];
      if (v === undefined) continue;
      const projected = project(v, node);
      if (projected !== undefined) out[name as string] = projected;
    }
    return out;
  }
}

function project(value: AttributeValue, node: Node): AttributeValue | undefined {
  if (node.leaf) return value;
  if (value.M !== undefined) {
    const m: AttributeMap = {};
    let any = false;
    for (const [key, child] of node.children) {
      if (typeof key !== 'string') continue;
      const v = value.M[key];
      if (v === undefined) continue;
      const p = project(v, child);
      if (p !== undefined) {
        m[key] = p;
        any = true;
      }
    }
    return any ? { M: m } : undefined;
  }
  if (value.L !== undefined) {
    const indexes = [...node.children.keys()].filter((k): k is number => typeof k === 'number').sort((a, b) => a - b);
    const l: AttributeValue[] = [];
    for (const i of indexes) {
      const v = value.L[i];
      if (v === undefined) continue;
      const p = project(v, node.children.get(i)!);
      if (p !== undefined) l.push(p);
    }
    return l.length > 0 ? { L: l } : undefined;
  }
  return undefined;
}
