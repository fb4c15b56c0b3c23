// Evaluates `save:` specs (json.a.b[0].c, status, body, headers.<name>) against a step's result.

import { CaseFormatError, StepFailure } from './errors.js';
import { describe, type HeaderLines } from './match.js';

/** What a finished step offers to `save:`; AWS steps have only `json` (their output). */
export interface SaveSource {
  json: () => unknown;
  status?: number;
  body?: string;
  headers?: HeaderLines;
}

/** Splits `a.b[0]["c.d"]` into keys and indexes. */
export function parsePath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      i++;
      continue;
    }
    if (ch === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw new CaseFormatError(`save path "${path}": missing ]`);
      const inner = path.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) parts.push(Number(inner));
      else if (/^(["']).*\1$/.test(inner)) parts.push(inner.slice(1, -1));
      else throw new CaseFormatError(`save path "${path}": [${inner}] is neither an index nor a quoted key`);
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    parts.push(path.slice(i, end));
    i = end;
  }
  return parts;
}

function walk(root: unknown, parts: Array<string | number>, spec: string): unknown {
  let current = root;
  for (const part of parts) {
    if (typeof part === 'number' && Array.isArray(current)) current = current[part];
    else if (typeof part === 'string' && current !== null && typeof current === 'object' && !Array.isArray(current)) {
      current = Object.prototype.hasOwnProperty.call(current, part) ? (current as Record<string, unknown>)[part] : undefined;
    } else current = undefined;
    if (current === undefined) throw new StepFailure(`save ${spec}: not found in ${describe(root)}`);
  }
  return current;
}

export function evaluateSaveSpec(spec: string, source: SaveSource): unknown {
  if (spec === 'json' || spec.startsWith('json.') || spec.startsWith('json[')) {
    return walk(source.json(), parsePath(spec.slice(4)), spec);
  }
  if (spec === 'status' && source.status !== undefined) return source.status;
  if (spec === 'body' && source.body !== undefined) return source.body;
  if (spec.startsWith('headers.') && source.headers) {
    const lines = source.headers.get(spec.slice('headers.'.length).toLowerCase());
    if (!lines) throw new StepFailure(`save ${spec}: the response has no such header`);
    return lines.join(', ');
  }
  throw new CaseFormatError(`save spec "${spec}" is not one of json.<path>, status, body, headers.<name> for this step`);
}
