/**
 * Errors in the Node.js runtime's shapes: the posted `{errorType, errorMessage, trace}` body, the
 * logged form, and the runtime's own `Runtime.*` errors.
 * AWS docs: "Lambda function errors in Node.js" (nodejs-exceptions.html).
 */
import util from 'node:util';

export interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export function isErrorLike(value: unknown): value is Error {
  if (util.types.isNativeError(value)) return true;
  const v = value as Partial<Error> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string';
}

/** What the runtime posts for an error: Error -> name/message/stack lines; anything else -> its typeof. */
export function toErrorBody(error: unknown): ErrorBody {
  try {
    if (isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

/** The body the runtime logs next to "Invoke Error" / "Uncaught Exception" (stack rather than trace). */
export function formatted(error: unknown): string {
  const body = toErrorBody(error);
  const extra = typeof error === 'object' && error !== null ? { ...error } : {};
  return '\t' + safeStringify({ errorType: body.errorType, errorMessage: body.errorMessage, ...extra, stack: body.trace });
}

export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '{}';
  }
}

export function runtimeError(name: string, message: string, stackFrom?: unknown): Error {
  const error = new Error(message);
  // Non-enumerable like Error's own name, so logged JSON carries errorType only.
  Object.defineProperty(error, 'name', { value: name, enumerable: false, writable: true, configurable: true });
  if (isErrorLike(stackFrom) && stackFrom.stack !== undefined) error.stack = stackFrom.stack;
  return error;
}
