/**
 * An event source mapping: which function a queue or stream feeds, and how (batch size, batching
 * window, starting position, retries, partial batch responses, filters). One normalizer checks the
 * properties for the three places a mapping comes from — SAM `Events` (SQS, Kinesis, DynamoDB),
 * `AWS::Lambda::EventSourceMapping` and the CreateEventSourceMapping API — with the defaults and
 * ranges the API reference lists, and renders the API's `EventSourceMappingConfiguration`.
 * AWS docs: Lambda API reference "CreateEventSourceMapping" (request parameters, defaults, ranges),
 * "EventSourceMappingConfiguration"; Lambda developer guide "Lambda event source mappings".
 */
import type { FilterPolicy } from '../services/sns/filter-policy.js';
import { parseFilterPolicy } from '../services/sns/filter-policy.js';

export type SourceKind = 'sqs' | 'kinesis' | 'dynamodb';
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface EventSourceMapping {
  uuid: string;
  kind: SourceKind;
  eventSourceArn: string;
  /** The function's ARN. */
  functionArn: string;
  batchSize: number;
  /** Seconds. */
  maximumBatchingWindowInSeconds: number;
  enabled: boolean;
  /** Streams only. */
  startingPosition: StartingPosition | undefined;
  /** Epoch seconds, AT_TIMESTAMP only. */
  startingPositionTimestamp: number | undefined;
  reportBatchItemFailures: boolean;
  /** Streams: -1 = until the records expire. */
  maximumRetryAttempts: number;
  /** Streams: -1 = no limit. */
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  /** Streams: concurrent batches per shard (1-10). */
  parallelizationFactor: number;
  /** Streams: seconds of a tumbling window, 0 = none. */
  tumblingWindowInSeconds: number;
  /** Streams: where a batch that exhausted its retries is recorded (an SQS queue or SNS topic ARN). */
  onFailureDestination: string | undefined;
  /** SQS: concurrent batches (ScalingConfig.MaximumConcurrency). */
  maximumConcurrency: number | undefined;
  /** As given, for the API's answers. */
  filterCriteria: { Filters: { Pattern: string }[] } | undefined;
  /** Parsed patterns (a record passes when any matches). */
  filters: FilterPolicy[];
  /** Epoch seconds. */
  lastModified: number;
  /** True for mappings of the template (not deletable through the API). */
  fromTemplate: boolean;
}

/** A problem with the given properties; the caller names where they came from. */
export class MappingError extends Error {}

/** Batch size defaults and maxima per source ("CreateEventSourceMapping", BatchSize). */
const BATCH_DEFAULT: Record<SourceKind, number> = { sqs: 10, kinesis: 100, dynamodb: 100 };
const BATCH_MAX = 10_000;
const FIFO_BATCH_MAX = 10;
const WINDOW_MAX = 300;

/** The kind of source an ARN names. */
export function kindOf(arn: string): SourceKind | undefined {
  if (/^arn:aws[\w-]*:sqs:/.test(arn)) return 'sqs';
  if (/^arn:aws[\w-]*:kinesis:[^:]*:[^:]*:stream\//.test(arn)) return 'kinesis';
  if (/^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\//.test(arn)) return 'dynamodb';
  return undefined;
}

/**
 * Checks and completes `props` (CreateEventSourceMapping's parameter names). `functionArn` is
 * already resolved by the caller. Throws MappingError naming the property.
 */
export function normalizeMapping(uuid: string, functionArn: string, props: Record<string, unknown>, fromTemplate: boolean, now: number): EventSourceMapping {
  const arn = props['EventSourceArn'];
  if (typeof arn !== 'string' || arn === '') throw new MappingError('EventSourceArn: required');
  const kind = kindOf(arn);
  if (kind === undefined) throw new MappingError(`EventSourceArn: ${arn} is not an SQS queue, Kinesis stream or DynamoDB stream ARN gatehouse can read`);
  const stream = kind !== 'sqs';
  const fifo = kind === 'sqs' && arn.endsWith('.fifo');

  const window = integer(props, 'MaximumBatchingWindowInSeconds', 0, 0, WINDOW_MAX);
  const batchMax = fifo ? FIFO_BATCH_MAX : BATCH_MAX;
  const batchSize = integer(props, 'BatchSize', BATCH_DEFAULT[kind], 1, batchMax);
  // "When you set BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1."
  if (kind === 'sqs' && batchSize > 10 && window < 1) throw new MappingError('BatchSize: a batch size over 10 needs MaximumBatchingWindowInSeconds of at least 1');

  let startingPosition: StartingPosition | undefined;
  let startingPositionTimestamp: number | undefined;
  const start = props['StartingPosition'];
  if (stream) {
    if (start !== 'TRIM_HORIZON' && start !== 'LATEST' && start !== 'AT_TIMESTAMP') {
      throw new MappingError(`StartingPosition: must be TRIM_HORIZON, LATEST or AT_TIMESTAMP for a ${kind === 'kinesis' ? 'Kinesis' : 'DynamoDB'} stream`);
    }
    if (start === 'AT_TIMESTAMP' && kind === 'dynamodb') throw new MappingError('StartingPosition: AT_TIMESTAMP is only supported for Kinesis streams');
    startingPosition = start;
    if (start === 'AT_TIMESTAMP') {
      const ts = props['StartingPositionTimestamp'];
      const seconds = typeof ts === 'number' ? ts : typeof ts === 'string' ? (Number.isNaN(Number(ts)) ? Date.parse(ts) / 1000 : Number(ts)) : Number.NaN;
      if (!Number.isFinite(seconds)) throw new MappingError('StartingPositionTimestamp: required with AT_TIMESTAMP (epoch seconds)');
      startingPositionTimestamp = seconds;
    }
  } else if (start !== undefined) {
    throw new MappingError('StartingPosition: not supported for SQS event sources');
  }

  const types = props['FunctionResponseTypes'];
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))) {
    throw new MappingError('FunctionResponseTypes: the only value is ReportBatchItemFailures');
  }
  const destination = (props['DestinationConfig'] as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
  const scaling = props['ScalingConfig'] as { MaximumConcurrency?: unknown } | undefined;
  const filterCriteria = parseFilterCriteria(props['FilterCriteria']);
  return {
    uuid,
    kind,
    eventSourceArn: arn,
    functionArn,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    enabled: props['Enabled'] === undefined ? true : String(props['Enabled']) !== 'false',
    startingPosition,
    startingPositionTimestamp,
    reportBatchItemFailures: Array.isArray(types) && types.length > 0,
    maximumRetryAttempts: stream ? integer(props, 'MaximumRetryAttempts', -1, -1, 10_000) : -1,
    maximumRecordAgeInSeconds: stream ? recordAge(props) : -1,
    bisectBatchOnFunctionError: stream && String(props['BisectBatchOnFunctionError'] ?? false) === 'true',
    parallelizationFactor: stream ? integer(props, 'ParallelizationFactor', 1, 1, 10) : 1,
    tumblingWindowInSeconds: stream ? integer(props, 'TumblingWindowInSeconds', 0, 0, 900) : 0,
    onFailureDestination: stream && typeof destination === 'string' && destination !== '' ? destination : undefined,
    maximumConcurrency: scaling?.MaximumConcurrency === undefined ? undefined : integer(scaling as Record<string, unknown>, 'MaximumConcurrency', 2, 2, 1000),
    filterCriteria: filterCriteria?.criteria,
    filters: filterCriteria?.filters ?? [],
    lastModified: now,
    fromTemplate,
  };
}

function integer(props: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const raw = props[name];
  if (raw === undefined || raw === null) return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new MappingError(`${name}: ${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
  return value;
}

function recordAge(props: Record<string, unknown>): number {
  const age = integer(props, 'MaximumRecordAgeInSeconds', -1, -1, 604_800);
  if (age !== -1 && age < 60) throw new MappingError('MaximumRecordAgeInSeconds: must be -1 or from 60 to 604800');
  return age;
}

/** `{ Filters: [{ Pattern: '{"body": ...}' }] }` ("Control which events Lambda sends to your function"). */
function parseFilterCriteria(value: unknown): { criteria: { Filters: { Pattern: string }[] }; filters: FilterPolicy[] } | undefined {
  if (value === undefined || value === null) return undefined;
  const filters = (value as { Filters?: unknown }).Filters;
  if (!Array.isArray(filters)) throw new MappingError('FilterCriteria: Filters must be a list');
  if (filters.length > 5) throw new MappingError('FilterCriteria: at most 5 filters');
  const criteria = { Filters: [] as { Pattern: string }[] };
  const parsed: FilterPolicy[] = [];
  for (const [i, filter] of filters.entries()) {
    const pattern = (filter as { Pattern?: unknown } | null)?.Pattern;
    const text = typeof pattern === 'string' ? pattern : pattern !== null && typeof pattern === 'object' ? JSON.stringify(pattern) : undefined;
    if (text === undefined) throw new MappingError(`FilterCriteria/Filters/${i}/Pattern: required`);
    try {
      parsed.push(parseFilterPolicy(text, 'MessageBody'));
    } catch (error) {
      throw new MappingError(`FilterCriteria/Filters/${i}/Pattern: invalid filter pattern ${text}: ${(error as Error).message}`);
    }
    criteria.Filters.push({ Pattern: text });
  }
  return { criteria, filters: parsed };
}

/** The mapping as the Lambda API answers it ("EventSourceMappingConfiguration"). */
export function configuration(mapping: EventSourceMapping, state?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UUID: mapping.uuid,
    BatchSize: mapping.batchSize,
    MaximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
    EventSourceArn: mapping.eventSourceArn,
    FunctionArn: mapping.functionArn,
    LastModified: mapping.lastModified,
    State: state ?? (mapping.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: mapping.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
  };
  if (mapping.kind === 'sqs') {
    if (mapping.maximumConcurrency !== undefined) out['ScalingConfig'] = { MaximumConcurrency: mapping.maximumConcurrency };
  } else {
    out['StartingPosition'] = mapping.startingPosition;
    if (mapping.startingPositionTimestamp !== undefined) out['StartingPositionTimestamp'] = mapping.startingPositionTimestamp;
    out['ParallelizationFactor'] = mapping.parallelizationFactor;
    out['TumblingWindowInSeconds'] = mapping.tumblingWindowInSeconds;
    out['MaximumRetryAttempts'] = mapping.maximumRetryAttempts;
    out['MaximumRecordAgeInSeconds'] = mapping.maximumRecordAgeInSeconds;
    out['BisectBatchOnFunctionError'] = mapping.bisectBatchOnFunctionError;
    out['DestinationConfig'] = { OnFailure: mapping.onFailureDestination === undefined ? {} : { Destination: mapping.onFailureDestination } };
  }
  if (mapping.filterCriteria !== undefined) out['FilterCriteria'] = mapping.filterCriteria;
  return out;
}
