/**
 * The embedded Kinesis Data Streams service: `X-Amz-Target: Kinesis_20131202.<Operation>` over AWS
 * JSON 1.1, or CBOR when the client sends `application/x-amz-cbor-1.1`; streams declared in the
 * template (`AWS::Kinesis::Stream`) exist at start; state is durable in SQLite.
 * AWS docs: Kinesis Data Streams API reference ("Welcome", "Common Parameters"); CloudFormation
 * "AWS::Kinesis::Stream".
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EmbeddedService, ServiceContext, ServiceFactory, ServiceRequest } from '../service.js';
import { AwsServiceError } from '../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson, writeJsonError } from '../protocol/json.js';
import { CborError, decodeCbor, encodeCbor } from './cbor.js';
import { optionalInteger, type Input, type KinesisContext, type Operation } from './context.js';
import { createReader, type KinesisReader } from './reader.js';
import { RECORD_OPERATIONS } from './records.js';
import { RESHARD_OPERATIONS } from './resharding.js';
import { KinesisStore, type StreamMode } from './store.js';
import { createStream, DEFAULT_RETENTION_HOURS, MAX_RETENTION_HOURS, ON_DEMAND_SHARDS, STREAM_OPERATIONS } from './streams.js';
import { resourceProblem } from '../../definitions/errors.js';
import { scalarNumber } from '../../definitions/values.js';

export type { KinesisReader, KinesisRecordView, KinesisShardView, StartingPosition } from './reader.js';

const TARGET_PREFIX = 'Kinesis_20131202';
const CBOR_TYPE = 'application/x-amz-cbor-1.1';
/** Records past their retention period are deleted this often (reads skip them in between). */
const TRIM_INTERVAL_MS = 60_000;

const OPERATIONS: Record<string, Operation> = { ...STREAM_OPERATIONS, ...RECORD_OPERATIONS, ...RESHARD_OPERATIONS };

export interface KinesisService extends EmbeddedService {
  /** For the Kinesis event source: read streams in-process. */
  readonly reader: KinesisReader;
}

export async function createKinesisService(context: ServiceContext): Promise<KinesisService> {
  const store = new KinesisStore(path.join(context.dataDir, 'kinesis.sqlite'));
  const listeners = new Set<(streamName: string, shardIds: string[]) => void>();
  const ctx: KinesisContext = {
    store,
    region: context.region,
    accountId: context.accountId,
    now: () => Date.now(),
    appended(stream, shardIndexes) {
      if (listeners.size === 0) return;
      const ids = [...shardIndexes].map((i) => 'shardId-' + String(i).padStart(12, '0'));
      for (const listener of listeners) listener(stream.name, ids);
    },
  };
  createTemplateStreams(ctx, context);
  store.trim(Date.now());
  const trimTimer = setInterval(() => store.trim(Date.now()), TRIM_INTERVAL_MS);
  trimTimer.unref();

  return {
    name: 'kinesis',
    reader: createReader(ctx, listeners),
    matches: (request) => jsonOperation(request, TARGET_PREFIX) !== null,
    async handle(request, res) {
      const cbor = contentType(request) === CBOR_TYPE;
      const operation = jsonOperation(request, TARGET_PREFIX)!;
      try {
        const handler = OPERATIONS[operation];
        if (handler === undefined) throw new AwsServiceError('UnknownOperationException', `Operation ${operation} is not supported.`, 400);
        const input = cbor ? parseCborInput(request) : parseJsonInput(request);
        const output = await handler(ctx, input);
        if (cbor) writeCbor(res, 200, output);
        else writeJson(res, '1.1', 200, output);
      } catch (error) {
        const failure =
          error instanceof AwsServiceError ? error : (context.log.error(`kinesis ${operation}: ${(error as Error).stack ?? String(error)}`), new AwsServiceError('InternalFailure', 'Internal service error', 500));
        if (cbor) writeCbor(res, failure.status, { __type: failure.code, message: failure.message }, failure.code);
        else writeJsonError(res, '1.1', failure);
      }
    },
    async close() {
      clearInterval(trimTimer);
      listeners.clear();
      store.close();
    },
  };
}

export const kinesisService: ServiceFactory = createKinesisService;

function contentType(request: ServiceRequest): string {
  return String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseCborInput(request: ServiceRequest): Input {
  if (request.body.length === 0) return {};
  let value: unknown;
  try {
    value = decodeCbor(request.body);
  } catch (error) {
    if (!(error instanceof CborError)) throw error;
    throw new AwsServiceError('SerializationException', error.message, 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
  return value as Input;
}

function writeCbor(res: ServerResponse, status: number, output: unknown, errorType?: string): void {
  const body = encodeCbor(output ?? {});
  res.writeHead(status, {
    'Content-Type': CBOR_TYPE,
    'Content-Length': String(body.length),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-ErrorType': errorType }),
  });
  res.end(body);
}

/** `AWS::Kinesis::Stream` resources: created unless a stream of that name is already stored. */
function createTemplateStreams(ctx: KinesisContext, context: ServiceContext): void {
  for (const resource of context.project.resources) {
    if (resource.type !== 'AWS::Kinesis::Stream') continue;
    const name = resource.physicalId;
    const props = resource.properties;
    const mode: StreamMode = (props['StreamModeDetails'] as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
    let shards: number;
    let retention: number;
    try {
      // Template values may be strings (parameters are): CreateStream's own bounds apply to their numbers.
      shards = mode === 'ON_DEMAND' ? ON_DEMAND_SHARDS : (optionalInteger({ ShardCount: scalarNumber(props['ShardCount'] ?? 1) }, 'ShardCount', 1, 100000) ?? 1);
      retention = optionalInteger({ RetentionPeriodHours: scalarNumber(props['RetentionPeriodHours'] ?? DEFAULT_RETENTION_HOURS) }, 'RetentionPeriodHours', DEFAULT_RETENTION_HOURS, MAX_RETENTION_HOURS) ?? DEFAULT_RETENTION_HOURS;
    } catch (error) {
      throw resourceProblem(resource, (error as Error).message);
    }
    const existing = ctx.store.get(name);
    if (existing !== undefined) {
      if (existing.open.length !== shards) {
        context.log.warn(`kinesis: stream ${name} keeps its ${existing.open.length} stored open shards (the template declares ${shards}); delete it to re-create`);
      }
      continue;
    }
    const tags: Record<string, string> = {};
    for (const tag of (props['Tags'] as { Key: string; Value: string }[] | undefined) ?? []) tags[tag.Key] = String(tag.Value);
    createStream(ctx, name, shards, mode, retention, tags);
  }
}
