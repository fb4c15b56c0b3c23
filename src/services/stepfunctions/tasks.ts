/**
 * Where Task resources go, all inside gatehouse: Lambda function ARNs and `arn:aws:states:::lambda:invoke`
 * to the local Lambda runtime, `states:startExecution(.sync/.sync:2)` to this service, and every other
 * optimized or `aws-sdk:*` integration to the embedded AWS services through `callAws`. Failures are
 * named as Step Functions reports them.
 * AWS docs: Step Functions developer guide, "Invoke an AWS Lambda function with Step Functions"
 * (lambda:invoke output: ExecutedVersion, Payload, StatusCode...), "Start a new AWS Step Functions state
 * machine from a running execution" (.sync, .sync:2), "Integrating services with Step Functions"
 * (aws-sdk:* error names), "Handling errors" (Lambda.ServiceException, errorType as the error name).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/log.js';
import { ExecutionInterrupted, type TaskInvocation } from './asl/interpreter.js';
import { States, StatesError } from './asl/errors.js';

export interface StepFunctionsDeps {
  lambda?: {
    invoke(nameOrArn: string, payload: string | Buffer, options?: { invocationType?: 'RequestResponse' | 'Event' }): Promise<{ payload: Buffer; functionError?: string }>;
  };
  /** Calls an embedded AWS service: `callAws('sqs', 'SendMessage', {QueueUrl, MessageBody})`. */
  callAws?: (service: string, action: string, input: unknown) => Promise<unknown>;
}

/** Child executions started by `states:startExecution`, run by this same service. */
export interface ChildExecutions {
  start(parameters: Record<string, unknown>, parent: TaskInvocation): Promise<{ executionArn: string; startMs: number }>;
  /** Resolves once the execution has ended, with DescribeExecution's answer. */
  finished(executionArn: string, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** Optimized integrations prefix service error names like this; `aws-sdk:*` uses the SDK's service name. */
const OPTIMIZED_PREFIX: Record<string, string> = { dynamodb: 'DynamoDB', sqs: 'SQS', sns: 'SNS', events: 'EventBridge', s3: 'S3', states: 'StepFunctions', lambda: 'Lambda' };
const SDK_PREFIX: Record<string, string> = { dynamodb: 'DynamoDb', sqs: 'Sqs', sns: 'Sns', sfn: 'Sfn', s3: 'S3', eventbridge: 'EventBridge', secretsmanager: 'SecretsManager', kinesis: 'Kinesis', lambda: 'Lambda' };

const pascal = (action: string) => action[0]!.toUpperCase() + action.slice(1);

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A function error: its errorType names the failure, the payload is the cause. */
function functionFailure(payload: Buffer): StatesError {
  const text = payload.toString('utf8');
  const parsed = parseJson(text) as { errorType?: unknown } | null;
  const errorType = parsed !== null && typeof parsed === 'object' && typeof parsed.errorType === 'string' ? parsed.errorType : 'Lambda.Unknown';
  return new StatesError(errorType, text);
}

/** An error thrown by a service call, named `<Prefix>.<Code>`. */
function serviceFailure(prefix: string, error: unknown): StatesError {
  if (error instanceof StatesError || error instanceof ExecutionInterrupted) return error as StatesError;
  const e = error as { code?: unknown; name?: unknown; __type?: unknown; message?: unknown };
  let code = [e.code, e.__type, e.name].find((v) => typeof v === 'string' && v !== '' && v !== 'Error') as string | undefined;
  if (code?.includes('#')) code = code.slice(code.indexOf('#') + 1);
  return new StatesError(`${prefix}.${code ?? 'ServiceException'}`, typeof e.message === 'string' ? e.message : String(error));
}

export function createTaskRouter(deps: StepFunctionsDeps, children: ChildExecutions, log: Logger): (call: TaskInvocation) => Promise<unknown> {
  const warned = new Set<string>();

  async function invokeLambda(fn: string, payload: unknown, invocationType: 'RequestResponse' | 'Event'): Promise<{ payload: Buffer; functionError?: string }> {
    if (deps.lambda === undefined) throw new StatesError('Lambda.ServiceException', 'gatehouse runs no Lambda functions here (no Lambda runtime was given to Step Functions)');
    try {
      return await deps.lambda.invoke(fn, JSON.stringify(payload ?? {}), { invocationType });
    } catch (error) {
      throw serviceFailure('Lambda', error);
    }
  }

  return async function invoke(call) {
    const resource = call.resource;
    // A Lambda function ARN as the resource: the parameters are the payload, the function's answer the result.
    if (/^arn:aws[a-z-]*:lambda:/.test(resource)) {
      const result = await invokeLambda(resource, call.parameters, 'RequestResponse');
      if (result.functionError !== undefined) throw functionFailure(result.payload);
      return parseJson(result.payload.toString('utf8'));
    }
    const match = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:(.+)$/.exec(resource);
    if (match === null) throw new StatesError(States.Runtime, `gatehouse cannot run the Task resource ${resource}`);
    const [integration, ...rest] = match[1]!.split(':');
    if (integration === 'activity') throw new StatesError(States.TaskFailed, `gatehouse does not run activity tasks (${resource})`);
    let service: string;
    let actionWithPattern: string;
    let prefix: string;
    if (integration === 'aws-sdk') {
      service = rest[0] ?? '';
      actionWithPattern = rest.slice(1).join(':');
      prefix = SDK_PREFIX[service] ?? pascal(service);
    } else {
      service = integration!;
      actionWithPattern = rest.join(':');
      prefix = OPTIMIZED_PREFIX[service] ?? pascal(service);
    }
    const dot = actionWithPattern.indexOf('.');
    const action = dot === -1 ? actionWithPattern : actionWithPattern.slice(0, dot);
    const pattern = dot === -1 ? '' : actionWithPattern.slice(dot + 1);
    const parameters = (call.parameters ?? {}) as Record<string, unknown>;

    if (service === 'lambda' && action === 'invoke') {
      const fn = parameters['FunctionName'];
      if (typeof fn !== 'string') throw new StatesError(States.Runtime, 'The lambda:invoke parameters have no FunctionName');
      const qualified = typeof parameters['Qualifier'] === 'string' ? `${fn}:${parameters['Qualifier']}` : fn;
      const async = pattern === 'waitForTaskToken' || parameters['InvocationType'] === 'Event';
      const result = await invokeLambda(qualified, parameters['Payload'], async ? 'Event' : 'RequestResponse');
      if (async) return { ExecutedVersion: '$LATEST', Payload: '', StatusCode: 202 };
      if (result.functionError !== undefined) throw functionFailure(result.payload);
      const requestId = randomUUID();
      return {
        ExecutedVersion: '$LATEST',
        Payload: parseJson(result.payload.toString('utf8')),
        SdkHttpMetadata: {
          AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId], 'Content-Type': ['application/json'] },
          HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' },
          HttpStatusCode: 200,
        },
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: 200,
      };
    }

    if (service === 'states' && action === 'startExecution') {
      let started;
      try {
        started = await children.start(parameters, call);
      } catch (error) {
        throw serviceFailure('StepFunctions', error);
      }
      if (pattern !== 'sync' && pattern !== 'sync:2') return { ExecutionArn: started.executionArn, StartDate: new Date(started.startMs).toISOString() };
      const described = await children.finished(started.executionArn, call.signal);
      const output = described['output'] as string | undefined;
      const result: Record<string, unknown> = {
        ExecutionArn: described['executionArn'],
        Input: pattern === 'sync:2' ? parseJson(String(described['input'])) : described['input'],
        InputDetails: { Included: true },
        Name: described['name'],
        Output: pattern === 'sync:2' && output !== undefined ? parseJson(output) : output,
        OutputDetails: { Included: true },
        StartDate: described['startDate'],
        StateMachineArn: described['stateMachineArn'],
        Status: described['status'],
        StopDate: described['stopDate'],
      };
      if (described['status'] !== 'SUCCEEDED') {
        // "If the child execution fails ... the parent's Task fails with States.TaskFailed" and the description as the cause.
        throw new StatesError(States.TaskFailed, JSON.stringify({ ...result, Error: described['error'], Cause: described['cause'] }));
      }
      return result;
    }

    if (deps.callAws === undefined) {
      throw new StatesError(States.TaskFailed, `gatehouse has no AWS service endpoint for ${service}:${action} (callAws was not configured)`);
    }
    if (pattern.startsWith('sync') && !warned.has(resource)) {
      warned.add(resource);
      log.warn(`stepfunctions: ${resource} runs as request-response: the .sync pattern is only emulated for states:startExecution`);
    }
    // The optimized SQS and SNS integrations take a JSON message body and send its text (the CDK's
    // SqsSendMessage/SnsPublish examples pass TaskInput.fromObject as the body).
    const text = integration === 'sqs' && action === 'sendMessage' ? 'MessageBody' : integration === 'sns' && action === 'publish' ? 'Message' : undefined;
    const input = text !== undefined && parameters[text] !== null && typeof parameters[text] === 'object' ? { ...parameters, [text]: JSON.stringify(parameters[text]) } : parameters;
    try {
      return await deps.callAws(service, pascal(action), input);
    } catch (error) {
      throw serviceFailure(prefix, error);
    }
  };
}
