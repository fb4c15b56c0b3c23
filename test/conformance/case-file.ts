// Finds case folders and loads case.yaml into a checked description of the case.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CaseFormatError } from './errors.js';

export const STEP_LIMIT_MS = 10_000;
export const MAX_SLEEP_MS = 5_000;

export interface CaseRef {
  /** `area/name` */
  id: string;
  area: string;
  name: string;
  dir: string;
}

export interface TokenSpec {
  claims: Record<string, unknown>;
  expiresIn: number;
  kid?: string;
  header: Record<string, unknown>;
}

export interface Eventually {
  timeoutMs: number;
  intervalMs: number;
}

export type StepAction =
  | { kind: 'http'; request: Record<string, unknown> }
  | { kind: 'aws'; call: Record<string, unknown> }
  | { kind: 'sleep'; ms: number };

export interface StepSpec {
  /** 1-based position, used in failure messages. */
  index: number;
  name?: string;
  action: StepAction;
  /** Raw (placeholders still in) expectations. */
  expect: Record<string, unknown>;
  save: Record<string, string>;
  eventually?: Eventually;
}

export interface CaseSpec extends CaseRef {
  title: string;
  source: string;
  template: string;
  args: string[];
  upstream: boolean;
  tokens: Record<string, TokenSpec>;
  steps: StepSpec[];
}

const CASE_KEYS = new Set(['title', 'source', 'visibility', 'template', 'args', 'upstream', 'tokens', 'steps']);
const STEP_KEYS = new Set(['name', 'http', 'aws', 'sleep', 'expect', 'save', 'eventually']);
const HTTP_KEYS = new Set(['method', 'path', 'headers', 'body', 'json', 'bodyBase64']);
const AWS_KEYS = new Set(['service', 'action', 'params']);
const HTTP_EXPECT_KEYS = new Set(['status', 'headers', 'json', 'jsonSubset', 'body', 'bodyMatches', 'bodyBase64']);
const AWS_EXPECT_KEYS = new Set(['json', 'jsonSubset', 'error']);
const TOKEN_KEYS = new Set(['claims', 'expiresIn', 'kid', 'header']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Unknown keys are errors, not ignored: a case relying on a feature this runner lacks must not pass.
function onlyKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw new CaseFormatError(`${where}: unknown key "${key}" (known: ${[...allowed].join(', ')})`);
  }
}

function optionalObject(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new CaseFormatError(`${where} must be a mapping`);
  return value;
}

function parseEventually(value: unknown, where: string): Eventually | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { timeoutMs: STEP_LIMIT_MS, intervalMs: 250 };
  if (!isObject(value)) throw new CaseFormatError(`${where}: eventually must be true or {timeoutMs, intervalMs}`);
  onlyKeys(value, new Set(['timeoutMs', 'intervalMs']), `${where}.eventually`);
  const timeoutMs = value['timeoutMs'] ?? STEP_LIMIT_MS;
  const intervalMs = value['intervalMs'] ?? 250;
  if (typeof timeoutMs !== 'number' || timeoutMs <= 0 || typeof intervalMs !== 'number' || intervalMs < 0) {
    throw new CaseFormatError(`${where}: eventually needs positive numbers`);
  }
  return { timeoutMs: Math.min(timeoutMs, STEP_LIMIT_MS), intervalMs };
}

function parseStep(raw: unknown, index: number, hasUpstream: boolean): StepSpec {
  const where = `step ${index}`;
  if (!isObject(raw)) throw new CaseFormatError(`${where} must be a mapping`);
  onlyKeys(raw, STEP_KEYS, where);
  const kinds = ['http', 'aws', 'sleep'].filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) throw new CaseFormatError(`${where}: needs exactly one of http, aws, sleep (got ${kinds.join(', ') || 'none'})`);
  const name = raw['name'];
  if (name !== undefined && typeof name !== 'string') throw new CaseFormatError(`${where}: name must be a string`);
  const expect = optionalObject(raw['expect'], `${where}.expect`);
  const saveRaw = optionalObject(raw['save'], `${where}.save`);
  const save: Record<string, string> = {};
  for (const [key, spec] of Object.entries(saveRaw)) {
    if (typeof spec !== 'string') throw new CaseFormatError(`${where}.save.${key} must be a string spec`);
    save[key] = spec;
  }

  let action: StepAction;
  if (raw['http'] !== undefined) {
    const request = optionalObject(raw['http'], `${where}.http`);
    onlyKeys(request, HTTP_KEYS, `${where}.http`);
    if (typeof request['path'] !== 'string') throw new CaseFormatError(`${where}.http.path must be a string`);
    const bodies = ['body', 'json', 'bodyBase64'].filter((k) => request[k] !== undefined);
    if (bodies.length > 1) throw new CaseFormatError(`${where}.http: only one of body, json, bodyBase64`);
    onlyKeys(expect, HTTP_EXPECT_KEYS, `${where}.expect`);
    action = { kind: 'http', request };
  } else if (raw['aws'] !== undefined) {
    const call = optionalObject(raw['aws'], `${where}.aws`);
    onlyKeys(call, AWS_KEYS, `${where}.aws`);
    if (typeof call['service'] !== 'string' || typeof call['action'] !== 'string') {
      throw new CaseFormatError(`${where}.aws needs service and action strings`);
    }
    onlyKeys(expect, AWS_EXPECT_KEYS, `${where}.expect`);
    action = { kind: 'aws', call };
  } else {
    const ms = raw['sleep'];
    if (typeof ms !== 'number' || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new CaseFormatError(`${where}: sleep must be a number of ms between 0 and ${MAX_SLEEP_MS}`);
    }
    if (Object.keys(expect).length || Object.keys(save).length || raw['eventually'] !== undefined) {
      throw new CaseFormatError(`${where}: a sleep step takes no expect, save or eventually`);
    }
    action = { kind: 'sleep', ms };
  }
  if (!hasUpstream && JSON.stringify(raw).includes('${upstream')) {
    throw new CaseFormatError(`${where} uses \${upstream} but the case has no upstream: block`);
  }
  const step: StepSpec = { index, action, expect, save };
  if (name !== undefined) step.name = name;
  const eventually = parseEventually(raw['eventually'], where);
  if (eventually) step.eventually = eventually;
  return step;
}

function parseTokens(raw: unknown): Record<string, TokenSpec> {
  const tokens: Record<string, TokenSpec> = {};
  for (const [name, value] of Object.entries(optionalObject(raw, 'tokens'))) {
    const where = `tokens.${name}`;
    const spec = optionalObject(value, where);
    onlyKeys(spec, TOKEN_KEYS, where);
    const expiresIn = spec['expiresIn'] ?? 3600;
    if (typeof expiresIn !== 'number') throw new CaseFormatError(`${where}.expiresIn must be a number of seconds`);
    const kid = spec['kid'];
    if (kid !== undefined && typeof kid !== 'string') throw new CaseFormatError(`${where}.kid must be a string`);
    const token: TokenSpec = {
      claims: optionalObject(spec['claims'], `${where}.claims`),
      expiresIn,
      header: optionalObject(spec['header'], `${where}.header`),
    };
    if (kid !== undefined) token.kid = kid;
    tokens[name] = token;
  }
  return tokens;
}

export async function loadCase(ref: CaseRef): Promise<CaseSpec> {
  const file = join(ref.dir, 'case.yaml');
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CaseFormatError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new CaseFormatError(`${file} is not a mapping`);
  onlyKeys(doc, CASE_KEYS, 'case.yaml');

  const template = doc['template'];
  if (typeof template !== 'string' || !template) throw new CaseFormatError('case.yaml: template is required');
  if (!existsSync(join(ref.dir, template))) throw new CaseFormatError(`template ${template} is not in the case folder`);
  const args = doc['args'] ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw new CaseFormatError('case.yaml: args must be a list of strings');
  }
  const upstream = doc['upstream'] !== undefined && doc['upstream'] !== null && doc['upstream'] !== false;
  const tokens = parseTokens(doc['tokens']);
  if (Object.keys(tokens).length && !upstream) throw new CaseFormatError('case.yaml: tokens: needs upstream:');
  const steps = doc['steps'];
  if (!Array.isArray(steps) || steps.length === 0) throw new CaseFormatError('case.yaml: steps must be a non-empty list');

  return {
    ...ref,
    title: String(doc['title'] ?? ''),
    source: String(doc['source'] ?? ''),
    template,
    args: args.map(String),
    upstream,
    tokens,
    steps: steps.map((step, i) => parseStep(step, i + 1, upstream)),
  };
}

/** Every `<area>/<name>/case.yaml` under the cases folder, sorted by id. */
export function discoverCases(casesRoot: string): CaseRef[] {
  if (!existsSync(casesRoot)) return [];
  const refs: CaseRef[] = [];
  for (const area of readdirSync(casesRoot).sort()) {
    const areaDir = join(casesRoot, area);
    if (!statSync(areaDir).isDirectory()) continue;
    for (const name of readdirSync(areaDir).sort()) {
      const dir = join(areaDir, name);
      if (existsSync(join(dir, 'case.yaml'))) refs.push({ id: `${area}/${name}`, area, name, dir });
    }
  }
  return refs;
}

/** Keeps the cases whose id contains any of the filters (all of them when there is none). */
export function filterCases(refs: CaseRef[], filters: string[]): CaseRef[] {
  const wanted = filters.filter(Boolean);
  return wanted.length ? refs.filter((ref) => wanted.some((f) => ref.id.includes(f))) : refs;
}
