/**
 * The embedded Step Functions service: `X-Amz-Target: AWSStepFunctions.<Operation>` over AWS JSON 1.0,
 * our own States Language interpreter, durable STANDARD executions (resumed after a restart), EXPRESS
 * executions with StartSyncExecution, and Task resources routed to the local Lambda runtime and the
 * embedded AWS services.
 * AWS docs: Step Functions API reference ("Welcome", "Common Errors"); developer guide "Standard and
 * Express workflow types".
 */
import path from 'node:path';
import type { EmbeddedService, ServiceContext } from '../service.js';
import { AwsServiceError } from '../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson, writeJsonError } from '../protocol/json.js';
import type { JsonataEvaluator } from './asl/query.js';
import { createJsonataEvaluator } from './asl/jsonata.js';
import { ExecutionEngine } from './engine.js';
import { childExecutions, EXECUTION_OPERATIONS } from './executions.js';
import { MACHINE_OPERATIONS } from './machines.js';
import type { Operation, SfnContext } from './service-context.js';
import { StepFunctionsStore } from './store.js';
import { createTaskRouter, type StepFunctionsDeps as TaskDeps } from './tasks.js';
import { loadTemplateMachines } from './template.js';
import { TaskTokens } from './tokens.js';

export type { JsonataEvaluator } from './asl/query.js';

export interface StepFunctionsDeps extends TaskDeps {
  /** JSONata evaluator; by default the `jsonata` package. */
  jsonata?: JsonataEvaluator;
}

const TARGET_PREFIX = 'AWSStepFunctions';
const OPERATIONS: Record<string, Operation> = { ...MACHINE_OPERATIONS, ...EXECUTION_OPERATIONS };

export async function createStepFunctionsService(context: ServiceContext, deps: StepFunctionsDeps = {}): Promise<EmbeddedService> {
  const store = new StepFunctionsStore(path.join(context.dataDir, 'stepfunctions.sqlite'));
  const tokens = new TaskTokens();
  const jsonata = deps.jsonata ?? createJsonataEvaluator();
  const now = () => Date.now();
  const engine = new ExecutionEngine(store, tokens, { region: context.region, accountId: context.accountId, log: context.log, now, jsonata });
  const ctx: SfnContext = { region: context.region, accountId: context.accountId, store, engine, tokens, log: context.log, now };
  engine.setTaskRouter(createTaskRouter(deps, childExecutions(ctx), context.log));
  try {
    loadTemplateMachines(context.project, store, now());
  } catch (error) {
    store.close();
    throw error;
  }
  const resumed = engine.resumeAll();
  if (resumed > 0) context.log.info(`stepfunctions: ${resumed} execution(s) resumed after restart`);

  return {
    name: 'stepfunctions',
    matches: (request) => jsonOperation(request, TARGET_PREFIX) !== null,
    async handle(request, res) {
      const operation = jsonOperation(request, TARGET_PREFIX)!;
      try {
        const handler = OPERATIONS[operation];
        if (handler === undefined) throw new AwsServiceError('UnknownOperationException', `Operation ${operation} is not supported.`, 400);
        writeJson(res, '1.0', 200, await handler(ctx, parseJsonInput(request)));
      } catch (error) {
        if (error instanceof AwsServiceError) writeJsonError(res, '1.0', error);
        else {
          context.log.error(`stepfunctions ${operation}: ${(error as Error).stack ?? String(error)}`);
          writeJsonError(res, '1.0', new AwsServiceError('InternalFailure', 'Internal service error', 500));
        }
      }
    },
    async close() {
      await engine.close();
      store.close();
    },
  };
}

/** The factory the endpoint registers: `(context) => stepFunctionsService(context, { lambda, callAws })`. */
export const stepFunctionsService = (context: ServiceContext, deps?: StepFunctionsDeps): Promise<EmbeddedService> => createStepFunctionsService(context, deps);
