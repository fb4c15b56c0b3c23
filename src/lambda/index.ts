/**
 * Local Lambda: execution environments (Node.js child processes, other runtimes through the
 * Runtime API) and the invoker other parts of gatehouse call.
 * AWS docs: "Lambda execution environment" (lambda-runtime-environment.html), "Invoke" (API_Invoke.html).
 */
export { LambdaRuntime, type LambdaRuntimeOptions, type InvokeOptions } from './invoker.js';
export type { InvokeResult, NodeIsolation } from './pool.js';
export { LambdaServiceError } from './errors.js';
export { parseFunctionRef, type FunctionRef } from './resolve.js';
export { lambdaTargetsAws, parseLambdaTargets, type LambdaTargets } from './remote.js';
