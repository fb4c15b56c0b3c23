/**
 * Parsed expressions cached by their text, so a request that repeats an expression (the common
 * case: an application sends the same few) never parses it twice. Bounded; cleared when full.
 */
import type { ConditionNode, ExpressionKind, Parsed, PathNode, UpdateNode } from './ast.js';
import { parseCondition, parseProjection, parseUpdate } from './parser.js';

const LIMIT = 2000;
const conditions = new Map<string, Parsed<ConditionNode>>();
const updates = new Map<string, Parsed<UpdateNode>>();
const projections = new Map<string, Parsed<PathNode[]>>();

function cached<T>(map: Map<string, T>, key: string, parse: () => T): T {
  let hit = map.get(key);
  if (hit === undefined) {
    hit = parse();
    if (map.size >= LIMIT) map.clear();
    map.set(key, hit);
  }
  return hit;
}

export function conditionExpression(source: string, kind: ExpressionKind): Parsed<ConditionNode> {
  // The kind is part of the key: it names the expression in error messages raised while binding.
  return cached(conditions, kind + '\u0000' + source, () => parseCondition(source, kind));
}

export function updateExpression(source: string): Parsed<UpdateNode> {
  return cached(updates, source, () => parseUpdate(source));
}

export function projectionExpression(source: string): Parsed<PathNode[]> {
  return cached(projections, source, () => parseProjection(source));
}
