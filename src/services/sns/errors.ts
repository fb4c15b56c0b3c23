/**
 * SNS errors, one table: the query protocol code and status of each error the embedded SNS
 * answers (the SDKs' exception names are these codes plus "Exception"), worded as SNS words them
 * ("Invalid parameter: ...", "Topic does not exist").
 * AWS docs: Amazon SNS API Reference, "Common Errors" and each action's "Errors" section.
 */
import { AwsServiceError } from '../protocol/errors.js';

const KINDS = {
  InvalidParameter: { status: 400, shape: 'InvalidParameterException' },
  ParameterValueInvalid: { status: 400, shape: 'InvalidParameterValueException' },
  NotFound: { status: 404, shape: 'NotFoundException' },
  AuthorizationError: { status: 403, shape: 'AuthorizationErrorException' },
  EmptyBatchRequest: { status: 400, shape: 'EmptyBatchRequestException' },
  TooManyEntriesInBatchRequest: { status: 400, shape: 'TooManyEntriesInBatchRequestException' },
  BatchEntryIdsNotDistinct: { status: 400, shape: 'BatchEntryIdsNotDistinctException' },
  InvalidBatchEntryId: { status: 400, shape: 'InvalidBatchEntryIdException' },
  BatchRequestTooLong: { status: 400, shape: 'BatchRequestTooLongException' },
  InvalidAction: { status: 400, shape: 'InvalidAction' },
  InternalError: { status: 500, shape: 'InternalErrorException' },
} as const satisfies Record<string, { status: number; shape: string }>;

export type SnsErrorCode = keyof typeof KINDS;

export class SnsError extends AwsServiceError {
  /** The Smithy shape name (`__type` of the JSON protocol). */
  readonly shape: string;

  constructor(code: SnsErrorCode, message: string) {
    super(code, message, KINDS[code].status);
    this.shape = KINDS[code].shape;
  }
}

export const invalidParameter = (detail: string) => new SnsError('InvalidParameter', `Invalid parameter: ${detail}`);
export const topicNotFound = () => new SnsError('NotFound', 'Topic does not exist');
export const subscriptionNotFound = () => new SnsError('NotFound', 'Subscription does not exist');
