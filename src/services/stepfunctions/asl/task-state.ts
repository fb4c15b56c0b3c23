/**
 * The Task state: parameters, the call through the host, TimeoutSeconds / HeartbeatSeconds, the
 * `.waitForTaskToken` pattern and the history events of Lambda and service-integration tasks.
 * AWS docs: Step Functions developer guide, "Task workflow state" (Task state fields, timeouts),
 * "Discover service integration patterns" (Request Response, Run a Job, Wait for Callback with Task
 * Token); API reference "HistoryEvent" (TaskScheduled..., LambdaFunctionScheduled...).
 */
import { runtimeError, States, StatesError } from './errors.js';
import { evaluateExpression } from './payload.js';
import { ExecutionInterrupted, transition, type Interpreter, type Outcome, type StateRun } from './interpreter.js';

const json = (value: unknown) => JSON.stringify(value) ?? 'null';

export interface ResourceKind {
  lambdaFunction: boolean;
  /** `lambda` in `arn:aws:states:::lambda:invoke`, `aws-sdk:s3` in `arn:aws:states:::aws-sdk:s3:getObject`. */
  resourceType: string;
  /** `invoke`, `getObject`, `startExecution.sync:2`... */
  resource: string;
}

export function classifyResource(resource: string): ResourceKind {
  if (/^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:/.test(resource)) return { lambdaFunction: true, resourceType: 'lambda', resource };
  const integration = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:(.+)$/.exec(resource);
  if (integration !== null) {
    const parts = integration[1]!.split(':');
    if (parts[0] === 'aws-sdk' && parts.length >= 3) return { lambdaFunction: false, resourceType: `aws-sdk:${parts[1]}`, resource: parts.slice(2).join(':') };
    if (parts[0] === 'activity') return { lambdaFunction: false, resourceType: 'activity', resource };
    return { lambdaFunction: false, resourceType: parts[0]!, resource: parts.slice(1).join(':') };
  }
  return { lambdaFunction: false, resourceType: 'unknown', resource };
}

/** TimeoutSeconds / HeartbeatSeconds or their `...Path` forms (JSONata: an expression in the field). */
async function seconds(engine: Interpreter, run: StateRun, field: 'TimeoutSeconds' | 'HeartbeatSeconds', effective: unknown): Promise<number | undefined> {
  const { state, query } = run;
  let value: unknown;
  if (state[`${field}Path`] !== undefined) value = evaluateExpression(String(state[`${field}Path`]), effective, engine.scope(run), `${field}Path`);
  else if (state[field] !== undefined) value = await query.jsonataValue(state[field], engine.states(run), engine.scope(run), field);
  else return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw runtimeError(`The ${field} value must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

export async function runTask(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query, branch } = run;
  const resourceText = state['Resource'];
  if (typeof resourceText !== 'string') throw runtimeError('The Task state has no Resource');
  const callback = resourceText.endsWith('.waitForTaskToken');
  const resumedToken = run.resume?.taskToken;
  if (callback) run.taskToken = resumedToken ?? engine.host.newTaskToken();
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  const parameters = await query.arguments(state, 'Parameters', effective, run.raw, scope);
  const timeoutSeconds = await seconds(engine, run, 'TimeoutSeconds', effective);
  const heartbeatSeconds = await seconds(engine, run, 'HeartbeatSeconds', effective);
  const kind = classifyResource(resourceText);
  const ids = { resourceType: kind.resourceType, resource: kind.resource };
  const prefix = kind.lambdaFunction ? 'LambdaFunction' : 'Task';

  if (kind.lambdaFunction) {
    engine.record(branch, 'LambdaFunctionScheduled', { resource: resourceText, input: json(parameters), inputDetails: { truncated: false }, ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}) });
    engine.record(branch, 'LambdaFunctionStarted');
  } else {
    engine.record(branch, 'TaskScheduled', {
      ...ids,
      region: engine.execution.region,
      parameters: json(parameters),
      ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    });
    engine.record(branch, 'TaskStarted', ids);
  }

  const controller = new AbortController();
  const onAbort = () => controller.abort(branch.signal.reason);
  branch.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    const call = { resource: resourceText, parameters, stateName: run.name, signal: controller.signal, execution: engine.execution };
    if (!callback) return engine.host.invokeTask({ ...call, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
    const token = run.taskToken!;
    if (resumedToken === undefined) {
      const submitted = await engine.host.invokeTask({ ...call, taskToken: token, ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}) });
      engine.record(branch, 'TaskSubmitted', { ...ids, output: json(submitted), outputDetails: { truncated: false } });
      if (branch.topLevel && engine.host.checkpoint !== undefined) {
        engine.host.checkpoint({ state: run.name, input: run.raw, variables: branch.variables.snapshot(), taskToken: token });
      }
    }
    return engine.host.waitForTaskToken(token, { ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}), signal: controller.signal });
  })();
  // The execution may be stopped or time out while a call it cannot cancel (a Lambda invocation) runs.
  const interrupted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  interrupted.catch(() => {});
  work.catch(() => {}); // a late failure after a timeout or a stop is not an unhandled rejection
  let raw: unknown;
  try {
    const racers: Promise<unknown>[] = [work, interrupted];
    if (timeoutSeconds !== undefined) {
      racers.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StatesError(States.Timeout, '')), timeoutSeconds * 1000);
        }),
      );
    }
    raw = await Promise.race(racers);
  } catch (thrown) {
    if (thrown instanceof ExecutionInterrupted || branch.signal.aborted) throw thrown;
    const error = thrown instanceof StatesError ? thrown : new StatesError(States.TaskFailed, (thrown as Error).message ?? String(thrown));
    const timedOut = error.error === States.Timeout || error.error === States.HeartbeatTimeout;
    if (timedOut) controller.abort(new ExecutionInterrupted('branch-cancelled'));
    engine.record(branch, `${prefix}${timedOut ? 'TimedOut' : 'Failed'}`, { ...(kind.lambdaFunction ? {} : ids), error: error.error, cause: error.cause });
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    branch.signal.removeEventListener('abort', onAbort);
  }
  engine.record(branch, `${prefix}Succeeded`, { ...(kind.lambdaFunction ? {} : ids), output: json(raw), outputDetails: { truncated: false } });

  const result = query.result(state, raw, scope);
  const states = engine.states(run, { result });
  const values = await query.assign(state, result, states, scope);
  const output = await query.output(state, run.raw, result, states, scope);
  branch.variables.assign(values);
  return transition(state, output);
}
