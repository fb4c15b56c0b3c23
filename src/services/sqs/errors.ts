/**
 * SQS errors, one table: the JSON protocol's error name (`__type` `com.amazonaws.sqs#Name`), the
 * query protocol's code (also sent as `x-amzn-query-error` to JSON clients), status and fault.
 * AWS docs: Amazon SQS API Reference, "Common Errors" and each action's "Errors" section;
 * the query codes are the `awsQueryError` traits of the SQS Smithy model.
 */
import { AwsServiceError } from '../protocol/errors.js';

interface ErrorKind {
  queryCode: string;
  status: number;
}

const KINDS = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { queryCode: 'MissingParameter', status: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  PurgeQueueInProgress: { queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAction: { queryCode: 'InvalidAction', status: 400 },
  InternalFailure: { queryCode: 'InternalFailure', status: 500 },
} satisfies Record<string, ErrorKind>;

export type SqsErrorName = keyof typeof KINDS;

/** An SQS error: `code` is the JSON protocol name, `queryCode` the query protocol's. */
export class SqsError extends AwsServiceError {
  readonly queryCode: string;

  constructor(name: SqsErrorName, message: string) {
    const kind: ErrorKind = KINDS[name];
    super(name, message, kind.status);
    this.queryCode = kind.queryCode;
  }

  /** The same error named as the query protocol names it. */
  asQueryError(): AwsServiceError {
    return new AwsServiceError(this.queryCode, this.message, this.status);
  }
}

export const queueDoesNotExist = () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
export const missingParameter = (name: string) => new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
export const invalidParameter = (name: string, value: unknown, reason: string) =>
  new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
export const invalidParameters = (reason: string) => new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: ${reason}`);
export const receiptHandleInvalid = (handle: string) =>
  new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
