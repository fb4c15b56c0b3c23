// Runs one case step (http, aws or sleep): placeholders, the call, expectations, `eventually:` and `save:`.

import { AwsClients, errorShape, normaliseOutput, type AwsErrorShape } from './aws.js';
import type { StepSpec } from './case-file.js';
import { CaseFormatError, SetupError, StepFailure, errorText } from './errors.js';
import { sendRaw, splitTarget, type RawResponse } from './http-client.js';
import { describe, matchHeaders, matchStatus, matchValue } from './match.js';
import { queueNamesIn, substituteDeep, type PlaceholderContext } from './placeholders.js';
import { evaluateSaveSpec, type SaveSource } from './save.js';

export interface StepContext {
  port: number;
  placeholders: PlaceholderContext;
  aws: AwsClients;
}

type Outcome =
  | { kind: 'http'; response: RawResponse; text: string }
  | { kind: 'aws'; output: unknown }
  | { kind: 'aws-error'; error: AwsErrorShape };

/** Thrown when the step's own time runs out; it is not retried by `eventually:`. */
class StepTimeout extends Error {}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Runs `work` with an AbortSignal that fires after `ms`; rejects with StepTimeout then. */
async function withTimeout<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StepTimeout(`${what}: no answer within ${ms} ms`));
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function headerRecord(value: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw new CaseFormatError('http.headers must be a mapping');
  for (const [name, v] of Object.entries(value)) {
    out[name] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

function requestBody(request: Record<string, unknown>, headers: Record<string, string | string[]>): Buffer | undefined {
  if (request['json'] !== undefined) {
    if (!Object.keys(headers).some((n) => n.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    return Buffer.from(JSON.stringify(request['json']));
  }
  if (request['bodyBase64'] !== undefined) return Buffer.from(String(request['bodyBase64']), 'base64');
  const body = request['body'];
  if (body === undefined || body === null) return undefined;
  // A whole-string ${saved:KEY} may have turned the body into a number or object.
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

async function runHttp(request: Record<string, unknown>, ctx: StepContext, ms: number): Promise<Outcome> {
  const headers = headerRecord(request['headers']);
  const body = requestBody(request, headers);
  const method = String(request['method'] ?? 'GET').toUpperCase();
  const target = splitTarget(String(request['path']), ctx.port);
  const response = await withTimeout(ms, `${method} ${target.path}`, (signal) =>
    sendRaw({ ...target, method, headers, ...(body ? { body } : {}) }, signal),
  );
  return { kind: 'http', response, text: response.body.toString('utf8') };
}

async function runAws(call: Record<string, unknown>, ctx: StepContext, ms: number): Promise<Outcome> {
  const service = String(call['service']);
  const action = String(call['action']);
  try {
    // Reading a streamed body (S3 GetObject) counts against the step's time as well.
    const output = await withTimeout(ms, `aws ${service} ${action}`, async (signal) =>
      normaliseOutput(await ctx.aws.send(service, action, call['params'], signal)),
    );
    return { kind: 'aws', output };
  } catch (err) {
    // A timeout, a bad case or a package that cannot be loaded is not an AWS answer.
    if (err instanceof StepTimeout || err instanceof CaseFormatError || err instanceof SetupError) throw err;
    return { kind: 'aws-error', error: errorShape(err) };
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function bodyExcerpt(text: string): string {
  return describe(text, 500);
}

/** All mismatches between `expect` and the outcome (empty when the step passes). */
export function checkExpectations(expect: Record<string, unknown>, outcome: Outcome): string[] {
  const problems: string[] = [];
  const add = (diff: string | undefined) => diff && problems.push(diff);

  if (outcome.kind === 'http') {
    const { response, text } = outcome;
    if (expect['status'] !== undefined) add(matchStatus(expect['status'], response.status));
    if (expect['headers'] !== undefined) {
      const want = expect['headers'];
      if (want === null || typeof want !== 'object' || Array.isArray(want)) throw new CaseFormatError('expect.headers must be a mapping');
      add(matchHeaders(want as Record<string, unknown>, response.headers));
    }
    for (const key of ['json', 'jsonSubset'] as const) {
      if (expect[key] === undefined) continue;
      const parsed = parseJson(text);
      if (!parsed.ok) add(`${key}: the body is not JSON: ${bodyExcerpt(text)}`);
      else add(matchValue(expect[key], parsed.value, key === 'json' ? 'exact' : 'subset', key === 'json' ? 'json $' : 'jsonSubset $'));
    }
    if (expect['body'] !== undefined) {
      const want = String(expect['body']);
      if (want !== text) add(`body: expected ${bodyExcerpt(want)}, got ${bodyExcerpt(text)}`);
    }
    if (expect['bodyMatches'] !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(String(expect['bodyMatches']));
      } catch (err) {
        throw new CaseFormatError(`bodyMatches: invalid regex: ${errorText(err)}`);
      }
      if (!re.test(text)) add(`bodyMatches: body does not match /${re.source}/: ${bodyExcerpt(text)}`);
    }
    if (expect['bodyBase64'] !== undefined) {
      const want = Buffer.from(String(expect['bodyBase64']), 'base64');
      if (!want.equals(response.body)) {
        add(`bodyBase64: expected ${want.toString('base64')}, got ${response.body.toString('base64')}`);
      }
    }
    return problems;
  }

  if (outcome.kind === 'aws-error') {
    if (expect['error'] === undefined) {
      const e = outcome.error;
      return [`the call failed: ${e.name}: ${e.message}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}`];
    }
    add(matchValue(expect['error'], outcome.error, 'subset', 'error'));
    return problems;
  }

  if (expect['error'] !== undefined) {
    return [`expected the call to fail with ${describe(expect['error'])}, but it answered ${describe(outcome.output)}`];
  }
  if (expect['json'] !== undefined) add(matchValue(expect['json'], outcome.output, 'exact', 'json $'));
  if (expect['jsonSubset'] !== undefined) add(matchValue(expect['jsonSubset'], outcome.output, 'subset', 'jsonSubset $'));
  return problems;
}

function responseSummary(outcome: Outcome): string {
  if (outcome.kind === 'http') {
    const r = outcome.response;
    const headers = [...r.headers].map(([n, v]) => `${n}: ${v.join(', ')}`).join('; ');
    const body = outcome.text.length > 800 ? `${outcome.text.slice(0, 800)}… (${outcome.text.length} chars)` : outcome.text;
    return `got ${r.status} [${headers}] body: ${body.replace(/\r?\n/g, '\\n') || '(empty)'}`;
  }
  if (outcome.kind === 'aws-error') return `got error ${describe(outcome.error)}`;
  return `got ${describe(outcome.output, 500)}`;
}

function saveSource(outcome: Outcome): SaveSource {
  if (outcome.kind === 'http') {
    return {
      json: () => {
        const parsed = parseJson(outcome.text);
        if (!parsed.ok) throw new StepFailure(`save: the body is not JSON: ${bodyExcerpt(outcome.text)}`);
        return parsed.value;
      },
      status: outcome.response.status,
      body: outcome.text,
      headers: outcome.response.headers,
    };
  }
  return { json: () => (outcome.kind === 'aws' ? outcome.output : outcome.error) };
}

export function stepLabel(step: StepSpec): string {
  const a = step.action;
  const what =
    a.kind === 'http'
      ? `${String(a.request['method'] ?? 'GET').toUpperCase()} ${String(a.request['path'])}`
      : a.kind === 'aws'
        ? `aws ${String(a.call['service'])} ${String(a.call['action'])}`
        : `sleep ${a.ms}`;
  return `step ${step.index}${step.name ? ` "${step.name}"` : ''} (${what})`;
}

async function resolveQueueUrls(step: StepSpec, ctx: StepContext, deadline: number): Promise<void> {
  for (const name of queueNamesIn([step.action, step.expect])) {
    if (ctx.placeholders.queueUrls.has(name)) continue;
    const outcome = await runAws({ service: 'sqs', action: 'GetQueueUrl', params: { QueueName: name } }, ctx, deadline - Date.now());
    const url = outcome.kind === 'aws' ? (outcome.output as { QueueUrl?: unknown }).QueueUrl : undefined;
    if (typeof url !== 'string') {
      throw new StepFailure(`\${queueUrl:${name}}: GetQueueUrl did not give a QueueUrl: ${responseSummary(outcome)}`);
    }
    ctx.placeholders.queueUrls.set(name, url);
  }
}

/**
 * Runs one step within `limitMs`; throws StepFailure (or CaseFormatError) with the full reason.
 * With `eventually:` the call and its checks are repeated until they pass or the time is up.
 */
export async function runStep(step: StepSpec, ctx: StepContext, limitMs: number): Promise<void> {
  const started = Date.now();
  const deadline = started + limitMs;
  const label = stepLabel(step);
  try {
    if (step.action.kind === 'sleep') {
      await delay(Math.min(step.action.ms, limitMs));
      return;
    }
    await resolveQueueUrls(step, ctx, deadline);
    const action = substituteDeep(step.action.kind === 'http' ? step.action.request : step.action.call, ctx.placeholders) as Record<string, unknown>;
    const expect = substituteDeep(step.expect, ctx.placeholders) as Record<string, unknown>;
    const retryUntil = step.eventually ? Math.min(deadline, started + step.eventually.timeoutMs) : 0;

    let attempts = 0;
    let lastFailure = '';
    let passed: Outcome;
    for (;;) {
      attempts++;
      let problems: string[];
      let summary: string;
      try {
        const remaining = deadline - Date.now();
        const outcome =
          step.action.kind === 'http' ? await runHttp(action, ctx, remaining) : await runAws(action, ctx, remaining);
        problems = checkExpectations(expect, outcome);
        if (!problems.length) {
          passed = outcome;
          break;
        }
        summary = responseSummary(outcome);
      } catch (err) {
        // A request that breaks (connection reset...) is one more failed attempt; running out of time is final.
        if (err instanceof StepTimeout && lastFailure) {
          throw new StepFailure(`${lastFailure}\n  (then the next attempt ran out of time: ${err.message})`);
        }
        if (err instanceof StepTimeout || err instanceof CaseFormatError || err instanceof SetupError || !step.eventually) {
          throw err;
        }
        problems = [`the request failed: ${errorText(err)}`];
        summary = '';
      }
      const interval = step.eventually?.intervalMs ?? 0;
      lastFailure = `${problems.join('; ')}${summary ? `\n  ${summary}` : ''}`;
      if (!step.eventually || Date.now() + interval >= retryUntil) {
        const tries = attempts > 1 ? `\n  (still failing after ${attempts} attempts in ${Date.now() - started} ms)` : '';
        throw new StepFailure(`${lastFailure}${tries}`);
      }
      await delay(interval);
    }
    const source = saveSource(passed);
    for (const [key, spec] of Object.entries(step.save)) ctx.placeholders.saved.set(key, evaluateSaveSpec(spec, source));
  } catch (err) {
    if (err instanceof CaseFormatError) throw new CaseFormatError(`${label}: invalid case: ${err.message}`);
    throw new StepFailure(`${label}: ${errorText(err)}`);
  }
}
