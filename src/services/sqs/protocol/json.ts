/**
 * SQS over AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`), what SDK v3 and current botocore
 * send. SQS is "awsQueryCompatible": errors carry the JSON name in `__type`
 * (`com.amazonaws.sqs#QueueDoesNotExist`) and the query code in `x-amzn-query-error`
 * (`AWS.SimpleQueueService.NonExistentQueue;Sender`), from which the SDKs take the error code.
 * AWS docs: SQS Developer Guide "Making query API requests using AWS JSON protocol in Amazon SQS";
 * Smithy "AWS JSON 1.0 protocol" and "awsQueryCompatible trait".
 */
import type { ServerResponse } from 'node:http';
import type { ServiceRequest } from '../../service.js';
import { AwsServiceError } from '../../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson } from '../../protocol/json.js';
import type { SqsContext } from '../context.js';
import { SqsError } from '../errors.js';
import { OPERATIONS } from '../operations/index.js';

export const TARGET_PREFIX = 'AmazonSQS';

export function isJsonRequest(request: ServiceRequest): boolean {
  return jsonOperation(request, TARGET_PREFIX) !== null;
}

export async function handleJson(ctx: SqsContext, request: ServiceRequest, res: ServerResponse, abortSignal: () => AbortSignal): Promise<void> {
  const name = jsonOperation(request, TARGET_PREFIX)!;
  try {
    const operation = OPERATIONS[name];
    if (operation === undefined) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${name}.`, 400);
    const output = await operation(ctx, parseJsonInput(request), abortSignal);
    if (!res.destroyed) writeJson(res, '1.0', 200, output);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    writeSqsJsonError(res, error);
  }
}

function writeSqsJsonError(res: ServerResponse, error: AwsServiceError): void {
  const fault = error.fault === 'client' ? 'Sender' : 'Receiver';
  const headers: Record<string, string> = { 'x-amzn-ErrorType': error.code };
  if (error instanceof SqsError) headers['x-amzn-query-error'] = `${error.queryCode};${fault}`;
  const type = error instanceof SqsError ? `com.amazonaws.sqs#${error.code}` : error.code;
  writeJson(res, '1.0', error.status, { __type: type, message: error.message }, headers);
}
