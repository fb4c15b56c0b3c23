/**
 * SNS over AWS JSON 1.0 (`X-Amz-Target: AmazonSimpleNotificationService.<Operation>`), for a
 * client that sends it: the same operations as the query protocol, errors with the query code in
 * `x-amzn-query-error` as awsQueryCompatible services answer.
 * AWS docs: Smithy "AWS JSON 1.0 protocol" and "awsQueryCompatible trait".
 */
import type { ServerResponse } from 'node:http';
import type { ServiceRequest } from '../../service.js';
import { AwsServiceError } from '../../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson } from '../../protocol/json.js';
import type { SnsContext } from '../context.js';
import { SnsError } from '../errors.js';
import { OPERATIONS } from '../operations/index.js';

export const TARGET_PREFIX = 'AmazonSimpleNotificationService';

export async function handleJson(ctx: SnsContext, request: ServiceRequest, res: ServerResponse): Promise<void> {
  const name = jsonOperation(request, TARGET_PREFIX)!;
  try {
    const operation = OPERATIONS[name];
    if (operation === undefined) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${name}.`, 400);
    const output = await operation(ctx, parseJsonInput(request), false);
    writeJson(res, '1.0', 200, output);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    const headers: Record<string, string> = { 'x-amzn-ErrorType': error.code, 'x-amzn-query-error': `${error.code};${error.fault === 'client' ? 'Sender' : 'Receiver'}` };
    const type = error instanceof SnsError ? `com.amazonaws.sns#${error.shape}` : error.code;
    writeJson(res, '1.0', error.status, { __type: type, message: error.message }, headers);
  }
}
