/**
 * Load generator for AWS operations: a child process that prepares one operation on one endpoint
 * with the SDK v3 client and keeps N of them in flight (closed loop), measured like the HTTP load.
 */
import { fileURLToPath } from 'node:url';
import { OPERATIONS, type OperationName } from './aws-operations.js';
import { closedLoop, runLoadChild, serveLoadChild, type LoadResult } from './load.js';

export interface OperationsLoadOptions {
  operation: OperationName;
  /** The AWS endpoint, 'http://127.0.0.1:port'. */
  endpoint: string;
  /** Operations in flight (one keep-alive socket each). */
  inFlight: number;
  warmupSeconds: number;
  seconds: number;
  serverPid?: number;
}

export interface OperationsLoadResult extends LoadResult {
  /** What the operation had to do besides itself (queue refills ...). */
  operationNotes: string[];
}

const FLAG = '--operations-child';
// The SDK warns once per process that Node 20 support ends in 2027: noise in the bench output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export function runOperationsLoad(options: OperationsLoadOptions): Promise<OperationsLoadResult> {
  return runLoadChild(fileURLToPath(import.meta.url), FLAG, options, options) as Promise<OperationsLoadResult>;
}

/** One call of the operation (after preparing it), to check the target answers before loading it. */
export async function preflightOperation(operation: OperationName, endpoint: string): Promise<number> {
  const prepared = await OPERATIONS[operation](endpoint, 1);
  try {
    return await prepared.run();
  } finally {
    prepared.close();
  }
}

async function generate(options: OperationsLoadOptions): Promise<OperationsLoadResult> {
  const prepared = await OPERATIONS[options.operation](options.endpoint, options.inFlight);
  try {
    const result = await closedLoop(async () => ({ status: await prepared.run(), bytes: 0 }), {
      connections: options.inFlight,
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      ...(options.serverPid === undefined ? {} : { serverPid: options.serverPid }),
    });
    return { ...result, operationNotes: prepared.notes() };
  } finally {
    prepared.close();
  }
}

serveLoadChild(FLAG, generate);
