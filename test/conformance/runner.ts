// Runs conformance cases end to end (upstream, fresh gatehouse, steps, cleanup) and reports one result per case.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AwsClients } from './aws.js';
import { loadCase, STEP_LIMIT_MS, type CaseRef, type CaseSpec } from './case-file.js';
import { CaseFormatError, StartFailure, errorText } from './errors.js';
import { freePorts, gatehouseCommand, GatehouseProcess, type Command } from './gatehouse-process.js';
import { emptyContext, substituteDeep, substituteTemplate, type PlaceholderContext } from './placeholders.js';
import { runStep, stepLabel } from './steps.js';
import { signTokens } from './tokens.js';
import { getSigningKey, startUpstream, type Upstream } from './upstream.js';

export { discoverCases, filterCases, type CaseRef } from './case-file.js';
export { missingGatehouse } from './gatehouse-process.js';

export const CASE_LIMIT_MS = 60_000;
export const READY_LIMIT_MS = 30_000;

export interface CaseResult {
  id: string;
  title: string;
  passed: boolean;
  /** Why it failed: the step, what was expected and what came back. */
  reason?: string;
  /** Tail of gatehouse's stderr/stdout when the case failed. */
  log?: string;
  durationMs: number;
}

export interface RunOptions {
  root: string;
  command?: Command;
  stepLimitMs?: number;
  caseLimitMs?: number;
  readyLimitMs?: number;
  /** Keep the temp case copy and data dir (for debugging a failure). */
  keepTemp?: boolean;
}

/** The project root: the nearest folder above `from` with package.json and test/conformance/cases. */
export function findProjectRoot(from: string): string {
  const fromEnv = process.env['GATEHOUSE_ROOT'];
  if (fromEnv) return resolve(fromEnv);
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'conformance', 'cases'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root (package.json + test/conformance/cases) above ${from}; set GATEHOUSE_ROOT`);
    dir = parent;
  }
}

/** Cases are data, read from the source tree even when the runner runs compiled from dist/. */
export function casesDir(root: string): string {
  return join(root, 'test', 'conformance', 'cases');
}

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await copyDir(src, dst);
    else await copyFile(src, dst);
  }
}

function timeLeft(deadline: number): number {
  return deadline - Date.now();
}

/** Everything a running case holds, so that it can always be released. */
interface Held {
  upstream?: Upstream;
  gatehouse?: GatehouseProcess;
  aws?: AwsClients;
  tmp?: string;
}

async function release(held: Held, keepTemp: boolean): Promise<void> {
  await held.aws?.destroy().catch(() => undefined);
  await held.gatehouse?.stop().catch(() => undefined);
  await held.upstream?.close().catch(() => undefined);
  if (held.tmp && !keepTemp) await rm(held.tmp, { recursive: true, force: true }).catch(() => undefined);
}

async function startGatehouse(spec: CaseSpec, opts: RunOptions, held: Held, deadline: number, template: string, dataDir: string) {
  const command = opts.command ?? gatehouseCommand(opts.root);
  // Free ports can be taken by someone else before gatehouse binds them: one retry with new ports.
  for (let attempt = 1; ; attempt++) {
    const [port, awsPort] = (await freePorts(2)) as [number, number];
    held.gatehouse = GatehouseProcess.start({ command, cwd: opts.root, template, port, awsPort, dataDir, args: spec.args });
    try {
      await held.gatehouse.waitReady(awsPort, Math.min(opts.readyLimitMs ?? READY_LIMIT_MS, timeLeft(deadline)));
      return { port, awsPort };
    } catch (err) {
      if (!(err instanceof StartFailure && err.addressInUse && attempt === 1)) throw err;
      await held.gatehouse.stop();
    }
  }
}

async function execute(spec: CaseSpec, opts: RunOptions, held: Held, deadline: number): Promise<void> {
  const ctx: PlaceholderContext = emptyContext();
  // The upstream first: it then holds its port, so freePorts cannot hand that port to gatehouse.
  if (spec.upstream) {
    held.upstream = await startUpstream(await getSigningKey());
    ctx.upstream = held.upstream.url;
    ctx.upstreamPort = held.upstream.port;
  }

  held.tmp = await mkdtemp(join(tmpdir(), `gatehouse-conformance-${spec.area}-${spec.name}-`));
  const caseCopy = join(held.tmp, 'case');
  const dataDir = join(held.tmp, 'data');
  await copyDir(spec.dir, caseCopy);
  await mkdir(dataDir);
  const template = join(caseCopy, spec.template);
  if (held.upstream) {
    await writeFile(template, substituteTemplate(await readFile(template, 'utf8'), held.upstream.url, held.upstream.port));
  }

  if (held.upstream) {
    ctx.jwts = await signTokens(spec.tokens, await getSigningKey(), held.upstream.url, (v) => substituteDeep(v, ctx));
  }

  const { port, awsPort } = await startGatehouse(spec, opts, held, deadline, template, dataDir);
  ctx.port = port;
  ctx.awsPort = awsPort;
  held.aws = new AwsClients(`http://127.0.0.1:${awsPort}`);

  const stepLimit = opts.stepLimitMs ?? STEP_LIMIT_MS;
  for (const step of spec.steps) {
    const left = timeLeft(deadline);
    if (left <= 0) throw new Error(`case time limit reached before ${stepLabel(step)}`);
    try {
      await runStep(step, { port, placeholders: ctx, aws: held.aws }, Math.min(stepLimit, left));
    } catch (err) {
      if (left < stepLimit && err instanceof Error) err.message += `\n  (the step had only the ${left} ms left of the case time limit)`;
      throw err;
    }
  }
}

/** Runs one case against a fresh gatehouse; never throws. */
export async function runCase(ref: CaseRef, opts: RunOptions): Promise<CaseResult> {
  const started = Date.now();
  const caseLimit = opts.caseLimitMs ?? CASE_LIMIT_MS;
  const deadline = started + caseLimit;
  const held: Held = {};
  let title = '';
  try {
    const spec = await loadCase(ref);
    title = spec.title;
    let timer: NodeJS.Timeout | undefined;
    // The per-step limits already stop each step; this guards the setup phases as well.
    const overall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`case time limit (${caseLimit / 1000} s) reached`)), caseLimit + 1000);
    });
    try {
      await Promise.race([execute(spec, opts, held, deadline), overall]);
    } finally {
      clearTimeout(timer);
    }
    return { id: ref.id, title, passed: true, durationMs: Date.now() - started };
  } catch (err) {
    let reason = err instanceof CaseFormatError ? `invalid case: ${err.message}` : errorText(err);
    let log: string | undefined;
    if (err instanceof StartFailure) log = err.log;
    else if (held.gatehouse) {
      await held.gatehouse.settle(300);
      log = held.gatehouse.log();
      // A crash explains the failure better than the step that noticed it.
      if (held.gatehouse.exit) reason += `\n  (gatehouse ${held.gatehouse.exit} during the case)\n${log}`;
    }
    if (opts.keepTemp && held.tmp) reason += `\n  (temp files kept in ${held.tmp})`;
    const result: CaseResult = { id: ref.id, title, passed: false, reason, durationMs: Date.now() - started };
    if (log !== undefined) result.log = log;
    return result;
  } finally {
    await release(held, opts.keepTemp ?? false);
  }
}

/** Runs cases with at most `concurrency` at once; `onResult` sees each result as it lands. */
export async function runCases(
  refs: CaseRef[],
  opts: RunOptions,
  concurrency = 2,
  onResult?: (result: CaseResult) => void,
): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(refs.length);
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const i = next++;
      results[i] = await runCase(refs[i]!, opts);
      onResult?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, refs.length)) }, worker));
  return results;
}

/** One-block description of a failed result, for test output. */
export function formatFailure(result: CaseResult): string {
  const parts = [`${result.id}: ${result.reason ?? 'failed'}`];
  if (result.log && !result.reason?.includes(result.log)) parts.push(result.log);
  return parts.join('\n');
}
