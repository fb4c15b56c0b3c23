/**
 * Errors as the Amazon States Language names them: an error name and a cause, the predefined
 * `States.*` names, and which of them `States.ALL` / `States.TaskFailed` can match.
 * AWS docs: Step Functions developer guide, "Handling errors in Step Functions workflows" (Error names);
 * Amazon States Language specification, "Errors".
 */

export const States = {
  ALL: 'States.ALL',
  DataLimitExceeded: 'States.DataLimitExceeded',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ItemReaderFailed: 'States.ItemReaderFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  ParameterPathFailure: 'States.ParameterPathFailure',
  Permissions: 'States.Permissions',
  QueryEvaluationError: 'States.QueryEvaluationError',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  Runtime: 'States.Runtime',
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
  BranchFailed: 'States.BranchFailed',
} as const;

/**
 * A failure inside a workflow: what Retry/Catch match on and what an execution fails with. A Fail
 * state without `Cause` fails with no cause at all ("Cause (Optional)").
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause?: string,
  ) {
    super(cause === undefined ? error : `${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

/**
 * "States.ALL ... can't catch the States.DataLimitExceeded terminal error type and runtime error types"
 * (States.Runtime). "States.TaskFailed ... matches any known error name except for States.Timeout" when
 * used in a Retry or Catch.
 */
export function errorMatches(errorEquals: readonly string[], error: string, inTask: boolean): boolean {
  for (const name of errorEquals) {
    if (name === error) return true;
    if (error === States.Runtime || error === States.DataLimitExceeded) continue;
    if (name === States.ALL) return true;
    if (name === States.TaskFailed && inTask && error !== States.Timeout) return true;
  }
  return false;
}

/**
 * The error output a catcher (or a tolerated Map failure) hands on: "the object usually contains the
 * field Cause"; without a cause it is `{"Error": ...}` alone (developer guide, "ResultPath": include
 * error and input in a Catch).
 */
export function errorOutputOf(error: StatesError): { Error: string; Cause?: string } {
  return error.cause === undefined ? { Error: error.error } : { Error: error.error, Cause: error.cause };
}

/** Errors thrown by our own code become States.Runtime failures with the message as the cause. */
export function asStatesError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  return new StatesError(States.Runtime, error instanceof Error ? error.message : String(error));
}

export const runtimeError = (cause: string) => new StatesError(States.Runtime, cause);
