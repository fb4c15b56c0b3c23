/**
 * The states that do no work of their own: Pass, Choice, Wait, Succeed and Fail.
 * AWS docs: Step Functions developer guide, "Pass workflow state", "Choice workflow state", "Wait
 * workflow state", "Succeed workflow state", "Fail workflow state"; Amazon States Language
 * specification, the same states.
 */
import { evaluateRule, timestampMs } from './choice.js';
import { runtimeError, States, StatesError } from './errors.js';
import { evaluateExpression } from './payload.js';
import { transition, type Interpreter, type Outcome, type StateRun } from './interpreter.js';
import type { PathRoots } from './jsonpath.js';

/** "Result ... is treated as the output of a virtual task"; Parameters builds it from the input instead. */
export async function runPass(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  let result: unknown;
  if (query.language === 'JSONPath') {
    result = 'Parameters' in state ? await query.arguments(state, 'Parameters', effective, run.raw, scope) : 'Result' in state ? state['Result'] : effective;
  } else {
    result = run.raw;
  }
  const states = engine.states(run, { result });
  const values = await query.assign(state, result, states, scope);
  const output = await query.output(state, run.raw, result, states, scope);
  run.branch.variables.assign(values);
  return transition(state, output);
}

/** "A Choice state ... evaluates its Choice Rules in order and transitions to the Next of the first that matches", else Default. */
export async function runChoice(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  const rules = (state['Choices'] as Record<string, unknown>[] | undefined) ?? [];
  const roots: PathRoots = { input: effective, context: scope.context, variables: (name) => scope.variables.get(name) };
  const states = engine.states(run);
  let matched: Record<string, unknown> | undefined;
  for (const rule of rules) {
    const hit =
      query.language === 'JSONata' ? (await query.jsonataValue(rule['Condition'], states, scope, 'Condition')) === true : evaluateRule(rule, roots);
    if (hit) {
      matched = rule;
      break;
    }
  }
  let next: string;
  let owner: Record<string, unknown>;
  if (matched !== undefined) {
    next = String(matched['Next']);
    owner = matched;
  } else if (typeof state['Default'] === 'string') {
    next = state['Default'];
    owner = state;
  } else {
    throw new StatesError(States.NoChoiceMatched, `No Matches!`);
  }
  const values = await query.assign(owner, effective, states, scope);
  let output: unknown;
  if (query.language === 'JSONPath') output = await query.output({ OutputPath: state['OutputPath'] }, effective, effective, states, scope);
  else output = 'Output' in owner ? await query.jsonataValue(owner['Output'], states, scope, 'Output') : run.raw;
  run.branch.variables.assign(values);
  return { output, next };
}

/** Seconds, Timestamp, SecondsPath or TimestampPath; "the Wait state ... delays the state machine from continuing". */
export async function runWait(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  const states = engine.states(run);
  let until = run.resume?.waitUntil;
  if (until === undefined) {
    const now = engine.host.now();
    if (state['Seconds'] !== undefined || state['SecondsPath'] !== undefined) {
      const seconds =
        state['SecondsPath'] !== undefined
          ? evaluateExpression(String(state['SecondsPath']), effective, scope, 'SecondsPath')
          : await query.jsonataValue(state['Seconds'], states, scope, 'Seconds');
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw runtimeError(`The SecondsPath parameter does not reference a valid non-negative integer: ${JSON.stringify(seconds)}`);
      }
      until = now + seconds * 1000;
    } else {
      const stamp =
        state['TimestampPath'] !== undefined
          ? evaluateExpression(String(state['TimestampPath']), effective, scope, 'TimestampPath')
          : await query.jsonataValue(state['Timestamp'], states, scope, 'Timestamp');
      const ms = timestampMs(stamp);
      if (ms === undefined) throw runtimeError(`The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${JSON.stringify(stamp)}`);
      until = ms;
    }
    if (run.branch.topLevel && engine.host.checkpoint !== undefined) {
      engine.host.checkpoint({ state: run.name, input: run.raw, variables: run.branch.variables.snapshot(), waitUntil: until });
    }
  }
  const delay = until - engine.host.now();
  if (delay > 0) await engine.host.sleep(delay, run.branch.signal);
  const values = await query.assign(state, effective, states, scope);
  const output = query.language === 'JSONPath' ? await query.output({ OutputPath: state['OutputPath'] }, effective, effective, states, scope) : await query.output(state, run.raw, run.raw, states, scope);
  run.branch.variables.assign(values);
  return transition(state, output);
}

export async function runSucceed(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  const states = engine.states(run);
  const output = query.language === 'JSONPath' ? await query.output({ OutputPath: state['OutputPath'] }, effective, effective, states, scope) : await query.output(state, run.raw, run.raw, states, scope);
  return { output };
}

/** "Error ... Cause ... ErrorPath and CausePath" (a reference path or an intrinsic function). */
export async function runFail(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query } = run;
  const scope = engine.scope(run);
  const states = engine.states(run);
  const pick = async (field: 'Error' | 'Cause'): Promise<string | undefined> => {
    const pathField = `${field}Path`;
    let value: unknown;
    if (query.language === 'JSONPath' && state[pathField] !== undefined) value = evaluateExpression(String(state[pathField]), run.raw, scope, pathField);
    else value = query.language === 'JSONata' ? await query.jsonataValue(state[field], states, scope, field) : state[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw runtimeError(`The ${pathField} field must resolve to a string, got ${JSON.stringify(value)}`);
    return value;
  };
  const error = (await pick('Error')) ?? '';
  const cause = await pick('Cause');
  throw new StatesError(error, cause);
}
