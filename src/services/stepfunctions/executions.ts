/**
 * Execution operations: StartExecution, StartSyncExecution, DescribeExecution, ListExecutions,
 * GetExecutionHistory, StopExecution, DescribeStateMachineForExecution and the task-token callbacks
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.
 * AWS docs: Step Functions API reference for each action ("StartExecution is idempotent for STANDARD
 * workflows" with the same name and input while running; "StartSyncExecution ... returns a 200 OK
 * response, even if your execution fails"; HistoryEvent detail members).
 */
import { randomUUID } from 'node:crypto';
import type { TaskInvocation } from './asl/interpreter.js';
import {
  apiError,
  checkName,
  decodePageToken,
  encodePageToken,
  executionArn,
  expressArn,
  MAX_PAYLOAD_BYTES,
  maxResults,
  optionalString,
  requiredString,
  seconds,
  type Input,
} from './context.js';
import { describeMachine, requireMachine } from './machines.js';
import { checkArn, type Operation, type SfnContext } from './service-context.js';
import type { ExecutionRecord, MachineRecord, StoredEvent } from './store.js';

function executionInput(input: Input): string {
  const value = input['input'];
  if (value === undefined || value === null) return '{}';
  if (typeof value !== 'string') throw apiError('SerializationException', 'Unexpected value type for input: expected a string');
  if (Buffer.byteLength(value) > MAX_PAYLOAD_BYTES) throw apiError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'The input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
  try {
    JSON.parse(value);
  } catch (error) {
    throw apiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  return value;
}

/** Starts an execution of `machine`; shared by StartExecution, StartSyncExecution and `states:startExecution` tasks. */
export async function startExecution(ctx: SfnContext, machine: MachineRecord, name: string | undefined, input: string): Promise<{ record: ExecutionRecord; done: Promise<ExecutionRecord> }> {
  const execName = name ?? randomUUID();
  checkName(execName);
  if (machine.type === 'EXPRESS') {
    const run = await ctx.engine.start(machine, expressArn(ctx, machine.name, execName, randomUUID()), execName, input);
    return { record: run.record, done: run.done };
  }
  const arn = executionArn(ctx, machine.name, execName);
  const existing = ctx.engine.get(arn);
  if (existing !== undefined) {
    // Idempotent while running with the same input; otherwise the name is taken (for 90 days in AWS).
    if (existing.status === 'RUNNING' && existing.input === input) return { record: existing, done: ctx.engine.finished(arn).then((r) => r ?? existing) };
    throw apiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }
  const run = await ctx.engine.start(machine, arn, execName, input);
  return { record: run.record, done: run.done };
}

const startExecutionOp: Operation = async (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'stateMachineArn'));
  const { record } = await startExecution(ctx, machine, optionalString(input, 'name'), executionInput(input));
  return { executionArn: record.arn, startDate: seconds(record.startMs) };
};

function describeRecord(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.arn,
    stateMachineArn: record.machineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startMs),
    ...(record.stopMs !== null ? { stopDate: seconds(record.stopMs) } : {}),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== null ? { output: record.output, outputDetails: { included: true } } : {}),
    ...(record.error !== null ? { error: record.error } : {}),
    ...(record.cause !== null ? { cause: record.cause } : {}),
  };
}

const startSyncExecution: Operation = async (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'stateMachineArn'));
  if (machine.type !== 'EXPRESS') throw apiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  const { done } = await startExecution(ctx, machine, optionalString(input, 'name'), executionInput(input));
  const traceHeader = optionalString(input, 'traceHeader');
  const record = await done;
  const durationMs = (record.stopMs ?? ctx.now()) - record.startMs;
  return {
    ...describeRecord(record),
    // "traceHeader: The X-Ray trace header that was passed to the execution" (StartSyncExecution response).
    ...(traceHeader !== undefined ? { traceHeader } : {}),
    billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil(durationMs / 100) * 100) },
  };
};

function requireExecution(ctx: SfnContext, arn: string): ExecutionRecord {
  checkArn(arn, ['execution', 'express']);
  const record = ctx.engine.get(arn);
  if (record === undefined) throw apiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return record;
}

const describeExecution: Operation = (ctx, input) => {
  const record = requireExecution(ctx, requiredString(input, 'executionArn'));
  // Redrive is not emulated: every execution reports NOT_REDRIVABLE.
  return { ...describeRecord(record), redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE' };
};

const describeStateMachineForExecution: Operation = (ctx, input) => {
  const record = requireExecution(ctx, requiredString(input, 'executionArn'));
  const machine = ctx.store.getMachine(record.machineArn);
  const described = machine !== undefined ? describeMachine(machine) : { stateMachineArn: record.machineArn, name: record.machineArn.slice(record.machineArn.lastIndexOf(':') + 1) };
  return { ...described, definition: record.definition, roleArn: record.roleArn, updateDate: seconds(machine?.updatedMs ?? machine?.createdMs ?? record.startMs) };
};

const listExecutions: Operation = (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'stateMachineArn'));
  if (machine.type === 'EXPRESS') throw apiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  const filter = optionalString(input, 'statusFilter');
  const max = maxResults(input);
  const offset = decodePageToken(optionalString(input, 'nextToken'));
  const all = ctx.store.listExecutions(machine.arn).filter((e) => filter === undefined || e.status === filter);
  const page = all.slice(offset, offset + max);
  return {
    executions: page.map((e) => ({
      executionArn: e.arn,
      stateMachineArn: e.machineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startMs),
      ...(e.stopMs !== null ? { stopDate: seconds(e.stopMs) } : {}),
    })),
    ...(offset + max < all.length ? { nextToken: encodePageToken(offset + max) } : {}),
  };
};

/** HistoryEvent members holding each event type's details (API reference "HistoryEvent"). */
const DETAIL_MEMBERS = new Set([
  'activityFailed', 'activityScheduleFailed', 'activityScheduled', 'activityStarted', 'activitySucceeded', 'activityTimedOut',
  'taskFailed', 'taskScheduled', 'taskStartFailed', 'taskStarted', 'taskSubmitFailed', 'taskSubmitted', 'taskSucceeded', 'taskTimedOut',
  'executionFailed', 'executionStarted', 'executionSucceeded', 'executionAborted', 'executionTimedOut', 'executionRedriven',
  'mapStateStarted', 'mapIterationStarted', 'mapIterationSucceeded', 'mapIterationFailed', 'mapIterationAborted',
  'lambdaFunctionFailed', 'lambdaFunctionScheduleFailed', 'lambdaFunctionScheduled', 'lambdaFunctionStartFailed', 'lambdaFunctionSucceeded', 'lambdaFunctionTimedOut',
  'mapRunStarted', 'mapRunFailed', 'mapRunRedriven', 'evaluationFailed',
]);
const DATA_FIELDS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);

export function historyEvent(event: StoredEvent, includeData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { timestamp: seconds(event.timestampMs), type: event.type, id: event.id, previousEventId: event.previousEventId };
  if (event.details === undefined) return out;
  let member: string | undefined;
  if (event.type.endsWith('StateEntered')) member = 'stateEnteredEventDetails';
  else if (event.type.endsWith('StateExited')) member = 'stateExitedEventDetails';
  else {
    const key = event.type[0]!.toLowerCase() + event.type.slice(1);
    if (DETAIL_MEMBERS.has(key)) member = `${key}EventDetails`;
  }
  if (member === undefined) return out;
  out[member] = includeData ? event.details : Object.fromEntries(Object.entries(event.details).filter(([k]) => !DATA_FIELDS.has(k)));
  return out;
}

const getExecutionHistory: Operation = (ctx, input) => {
  const record = requireExecution(ctx, requiredString(input, 'executionArn'));
  const max = maxResults(input);
  const offset = decodePageToken(optionalString(input, 'nextToken'));
  let events = ctx.engine.history(record.arn);
  if (input['reverseOrder'] === true) events = [...events].reverse();
  const includeData = input['includeExecutionData'] !== false;
  const page = events.slice(offset, offset + max);
  return { events: page.map((e) => historyEvent(e, includeData)), ...(offset + max < events.length ? { nextToken: encodePageToken(offset + max) } : {}) };
};

const stopExecution: Operation = (ctx, input) => {
  const arn = requiredString(input, 'executionArn');
  requireExecution(ctx, arn);
  ctx.engine.stop(arn, optionalString(input, 'error'), optionalString(input, 'cause'));
  const record = ctx.engine.get(arn)!;
  return { stopDate: seconds(record.stopMs ?? ctx.now()) };
};

const sendTaskSuccess: Operation = (ctx, input) => {
  const token = requiredString(input, 'taskToken');
  const text = requiredString(input, 'output');
  let output: unknown;
  try {
    output = JSON.parse(text);
  } catch (error) {
    throw apiError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
  }
  ctx.tokens.succeed(token, output);
  return {};
};

const sendTaskFailure: Operation = (ctx, input) => {
  ctx.tokens.fail(requiredString(input, 'taskToken'), optionalString(input, 'error') ?? '', optionalString(input, 'cause'));
  return {};
};

const sendTaskHeartbeat: Operation = (ctx, input) => {
  ctx.tokens.heartbeat(requiredString(input, 'taskToken'));
  return {};
};

export const EXECUTION_OPERATIONS: Record<string, Operation> = {
  StartExecution: startExecutionOp,
  StartSyncExecution: startSyncExecution,
  DescribeExecution: describeExecution,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  StopExecution: stopExecution,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
};

/** `states:startExecution` Task integrations: children of a running execution, run here. */
export function childExecutions(ctx: SfnContext) {
  return {
    async start(parameters: Record<string, unknown>, _parent: TaskInvocation) {
      const arn = parameters['StateMachineArn'];
      if (typeof arn !== 'string') throw apiError('ValidationException', 'StateMachineArn is required');
      const machine = ctx.store.getMachine(arn);
      if (machine === undefined) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      const raw = parameters['Input'];
      const input = raw === undefined ? '{}' : typeof raw === 'string' ? raw : JSON.stringify(raw);
      const { record } = await startExecution(ctx, machine, typeof parameters['Name'] === 'string' ? parameters['Name'] : undefined, input);
      return { executionArn: record.arn, startMs: record.startMs };
    },
    async finished(arn: string, signal: AbortSignal) {
      try {
        const record = await ctx.engine.finished(arn, signal);
        return describeRecord(record!);
      } catch (error) {
        // A stopped parent stops the child it waits for.
        ctx.engine.stop(arn, 'States.Aborted', 'The parent execution was stopped');
        throw error;
      }
    },
  };
}
