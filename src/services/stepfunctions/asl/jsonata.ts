/**
 * The JSONata evaluator of the interpreter: the `jsonata` package, imported on the first
 * expression (importing it costs more than the rest of gatehouse's start-up), compiled
 * expressions cached, with the functions Step Functions adds to JSONata — `$partition`, `$range`,
 * `$hash`, `$random` (with an optional seed), `$uuid`, `$parse` — and without `$eval`, which Step
 * Functions replaces with `$parse`.
 * AWS docs: Step Functions developer guide, "Transforming data with JSONata in Step Functions"
 * ("JSONata functions provided by Step Functions"; supported JSONata version 2.0.x).
 */
import { randomUUID } from 'node:crypto';
import { callIntrinsic, seeded } from './intrinsics.js';
import type { JsonataEvaluator } from './query.js';

type Compiled = { evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown> | unknown };
type Compile = (expression: string) => Compiled;

/** Step Functions' own functions, each the JSONata twin of an intrinsic. */
const STEP_FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  partition: (array, size) => callIntrinsic('States.ArrayPartition', [array, size]),
  range: (start, end, step) => callIntrinsic('States.ArrayRange', [start, end, step]),
  hash: (data, algorithm) => callIntrinsic('States.Hash', [data, algorithm]),
  random: (seed) => (seed === undefined ? Math.random() : seeded(Number(seed))()),
  uuid: () => randomUUID(),
  parse: (text) => callIntrinsic('States.StringToJson', [text]),
  eval: () => {
    throw new Error('The function $eval is not supported by Step Functions; use $parse');
  },
};

const MAX_CACHED = 10_000;

export function createJsonataEvaluator(): JsonataEvaluator {
  let compile: Promise<Compile> | undefined;
  const compiled = new Map<string, Compiled>();
  return async (expression, input, bindings) => {
    let expr = compiled.get(expression);
    if (expr === undefined) {
      compile ??= import('jsonata').then((module) => module.default as unknown as Compile);
      expr = (await compile)(expression);
      if (compiled.size >= MAX_CACHED) compiled.clear();
      compiled.set(expression, expr);
    }
    return expr.evaluate(input, { ...STEP_FUNCTIONS, ...bindings });
  };
}
