// Replaces ${...} placeholders in case steps, and ${upstream}/${upstreamPort} in template copies.

import { CaseFormatError } from './errors.js';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';

export interface PlaceholderContext {
  port?: number;
  awsPort?: number;
  upstream?: string;
  upstreamPort?: number;
  /** Values saved by earlier steps' `save:`. */
  saved: Map<string, unknown>;
  /** Signed `tokens:`, by name. */
  jwts: Map<string, string>;
  /** Queue URLs already looked up with GetQueueUrl, by queue name. */
  queueUrls: Map<string, string>;
}

export function emptyContext(): PlaceholderContext {
  return { saved: new Map(), jwts: new Map(), queueUrls: new Map() };
}

// `${name}` or `${name:argument}`; names are letters only, so text like `${AWS::Region}` is no match.
const PLACEHOLDER = /\$\{([A-Za-z]+)(?::([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z]+)(?::([^}]*))?\}$/;

const NOT_OURS = Symbol('not a runner placeholder');

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CaseFormatError(`placeholder ${what} is not available in this case`);
  return value;
}

function resolve(name: string, arg: string | undefined, ctx: PlaceholderContext): unknown {
  const text = arg === undefined ? `\${${name}}` : `\${${name}:${arg}}`;
  switch (arg === undefined ? name : `${name}:`) {
    case 'port':
      return need(ctx.port, text);
    case 'awsPort':
      return need(ctx.awsPort, text);
    case 'awsEndpoint':
      return `http://127.0.0.1:${need(ctx.awsPort, text)}`;
    case 'region':
      return REGION;
    case 'accountId':
      return ACCOUNT_ID;
    case 'upstream':
      return need(ctx.upstream, `${text} (the case has no upstream: block)`);
    case 'upstreamPort':
      return need(ctx.upstreamPort, `${text} (the case has no upstream: block)`);
    case 'saved:':
      if (!ctx.saved.has(arg!)) throw new CaseFormatError(`${text}: no earlier step saved "${arg}"`);
      return ctx.saved.get(arg!);
    case 'jwt:':
      return need(ctx.jwts.get(arg!), `${text} (no such entry under tokens:)`);
    case 'queueUrl:':
      return need(ctx.queueUrls.get(arg!), `${text} (queue URL not looked up)`);
    default:
      // Unknown names are left alone: a body may legitimately contain such text.
      return NOT_OURS;
  }
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Substitutes one string. A string that is exactly one `${saved:KEY}` keeps the saved value's
 * type (number, object...); every other placeholder is inserted as text.
 */
export function substituteString(input: string, ctx: PlaceholderContext): unknown {
  const whole = WHOLE.exec(input);
  if (whole && whole[1] === 'saved' && whole[2] !== undefined) {
    return resolve('saved', whole[2], ctx);
  }
  return input.replace(PLACEHOLDER, (match, name: string, arg: string | undefined) => {
    const value = resolve(name, arg, ctx);
    return value === NOT_OURS ? match : asText(value);
  });
}

/** Substitutes every string (and object key, as text) inside a step's value. */
export function substituteDeep(value: unknown, ctx: PlaceholderContext): unknown {
  if (typeof value === 'string') return substituteString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => substituteDeep(item, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[asText(substituteString(key, ctx))] = substituteDeep(item, ctx);
    }
    return out;
  }
  return value;
}

/** Names used in `${queueUrl:NAME}` anywhere in a value, so they can be looked up first. */
export function queueNamesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PLACEHOLDER)) {
      if (m[1] === 'queueUrl' && m[2] !== undefined) into.add(m[2]);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) queueNamesIn(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      queueNamesIn(key, into);
      queueNamesIn(item, into);
    }
  }
  return into;
}

/**
 * The template copy gets only ${upstream} and ${upstreamPort}, so CloudFormation's own
 * `${AWS::Region}` or `${Fn.Arn}` inside !Sub stay untouched.
 */
export function substituteTemplate(text: string, upstream: string, upstreamPort: number): string {
  return text.replaceAll('${upstreamPort}', String(upstreamPort)).replaceAll('${upstream}', upstream);
}
