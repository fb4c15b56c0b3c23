/**
 * The platform log lines Lambda writes around each invocation (START, END, REPORT, INIT_REPORT)
 * and the log stream name of an execution environment.
 * AWS docs: "Working with Lambda function logs" (monitoring-cloudwatchlogs.html) and
 * "Understanding the Lambda execution environment lifecycle" (lambda-runtime-environment.html).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const startLine = (requestId: string): string => `START RequestId: ${requestId} Version: $LATEST`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

export interface ReportFields {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs: number | undefined;
  /** Set when the invocation did not end normally, as Lambda appends `Status: timeout` / `Status: error`. */
  status?: 'timeout' | 'error';
  errorType?: string;
}

export function reportLine(r: ReportFields): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms` +
    `\tMemory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  if (r.status !== undefined) line += `\tStatus: ${r.status}`;
  if (r.errorType !== undefined) line += `\tError Type: ${r.errorType}`;
  return line;
}

export const initReportLine = (initDurationMs: number, errorType: string): string =>
  `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`;

/** `YYYY/MM/DD/[$LATEST]<32 hex>`, one per execution environment. */
export function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** An X-Ray trace header like the one Lambda passes in `Lambda-Runtime-Trace-Id` / `_X_AMZN_TRACE_ID`. */
export function traceHeader(): string {
  // randomUUID draws from a cached entropy pool: several times cheaper than randomBytes per call.
  const root = randomUUID().replaceAll('-', '');
  const parent = randomUUID().replaceAll('-', '');
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${root.slice(0, 24)};Parent=${parent.slice(0, 16)};Sampled=0`;
}
