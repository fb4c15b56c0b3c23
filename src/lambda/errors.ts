/**
 * Error payloads the Lambda service itself writes (timeouts, runtime exits, oversized responses)
 * and the service errors an Invoke call can fail with.
 * AWS docs: "Troubleshoot invocation issues in Lambda" (troubleshooting-invocation.html),
 * "Invoke" API reference (API_Invoke.html, Errors).
 */

/** An Invoke failure that is the service's, not the function's (AWS answers it with an HTTP error). */
export class LambdaServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode: number) {
    super(message);
    this.name = 'LambdaServiceError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const functionNotFound = (arnOrName: string): LambdaServiceError =>
  new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arnOrName}`, 404);

export const invalidRequestContent = (parserMessage: string): LambdaServiceError =>
  new LambdaServiceError('InvalidRequestContentException', `Could not parse request body into json: ${parserMessage}`, 400);

export const unsupportedRuntime = (runtime: string): LambdaServiceError =>
  new LambdaServiceError(
    'InvalidRuntimeException',
    `The runtime parameter of ${runtime || '(none)'} is not supported by gatehouse local execution (nodejs*, python3.*, provided.* are)`,
    502,
  );

export const runtimeClosed = (): LambdaServiceError =>
  new LambdaServiceError('ServiceException', 'The Lambda runtime is shutting down', 500);

/**
 * Timeout payload. AWS used to answer `{"errorMessage":"<ISO time> <id> Task timed out after 3.00 seconds"}`;
 * since the 2023 sandbox changes it answers the shape below (seen in Invoke responses and in
 * AppSync's `Sandbox.Timedout`, documented on troubleshooting-invocation.html#troubleshooting-timeouts).
 */
export function timeoutPayload(requestId: string, timeoutSeconds: number): Buffer {
  return json({
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  });
}

/** The log line Lambda writes when it stops a timed-out invocation. */
export const timeoutLogLine = (requestId: string, timeoutSeconds: number): string =>
  `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;

/** Go's os/exec wording, which the Lambda service uses in `Runtime exited with error: ...`. */
const SIGNAL_WORDS: Record<string, string> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
  SIGINT: 'interrupt',
};

export function exitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `Runtime exited with error: signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  if (code === 0 || code === null) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${code}`;
}

/** A runtime process that died during an invocation (or its init) without reporting an error. */
export function exitPayload(requestId: string, code: number | null, signal: string | null, outOfMemory: boolean): Buffer {
  // Lambda kills an environment over its memory size with SIGKILL, hence "signal: killed".
  const reason = outOfMemory ? exitReason(null, 'SIGKILL') : exitReason(code, signal);
  return json({
    errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: ${reason}`,
  });
}

/** The synchronous invocation response limit (6 MB), "Lambda quotas" (gettingstarted-limits.html). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export function responseTooLargePayload(): Buffer {
  return json({
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  });
}

/** An init failure that gatehouse detects before any runtime code runs (missing code or bootstrap). */
export function initErrorPayload(errorType: string, errorMessage: string): Buffer {
  return json({ errorType, errorMessage });
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
