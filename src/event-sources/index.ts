/**
 * Event source mappings: services triggering functions. The template's mappings and the ones
 * created through the Lambda API each get a poller — SQS queues, Kinesis streams and DynamoDB
 * streams read in-process from the embedded services — that invokes the local function through
 * the Lambda runtime. Pollers stop on shutdown and reload; API mappings and stream checkpoints are
 * durable under the data folder.
 * AWS docs: Lambda developer guide "Lambda event source mappings", "Using Lambda with Amazon SQS",
 * "Using Lambda with Kinesis Data Streams", "Using AWS Lambda with Amazon DynamoDB".
 */
import { randomUUID } from 'node:crypto';
import { LambdaServiceError } from '../lambda/index.js';
import type { EmbeddedService, ServiceContext } from '../services/service.js';
import type { SqsService } from '../services/sqs/index.js';
import type { KinesisService } from '../services/kinesis/index.js';
import type { DynamoDbService } from '../services/dynamodb/index.js';
import { handleMappingsRequest, MAPPINGS_PATH, notFound, type MappingRegistry } from './api.js';
import { MappingError, normalizeMapping, type EventSourceMapping } from './mapping.js';
import { dynamodbSource, kinesisSource } from './shard-sources.js';
import { SqsPoller } from './sqs-poller.js';
import { EventSourceStore, type StoredMapping } from './store.js';
import { StreamPoller, type ShardSource } from './stream-poller.js';
import { templateMappings } from './template.js';

interface Poller {
  start(): void;
  stop(): Promise<void>;
}

interface Entry {
  mapping: EventSourceMapping;
  stored: StoredMapping | undefined;
  poller: Poller | undefined;
}

export async function eventSourcesService(context: ServiceContext): Promise<EmbeddedService> {
  const lambda = context.lambda;
  const siblings = context.services ?? [];
  const find = <T extends EmbeddedService>(name: string) => siblings.find((s) => s.name === name) as T | undefined;
  const sqs = find<SqsService>('sqs');
  const kinesis = find<KinesisService>('kinesis');
  const dynamodb = find<DynamoDbService>('dynamodb');
  const log = context.log;
  const store = new EventSourceStore(context.dataDir);
  const entries = new Map<string, Entry>();
  const results = new Map<string, string>();

  const invoke = (functionArn: string, payload: string) => {
    if (lambda === undefined) throw new Error('no Lambda runtime');
    return lambda.invoke(functionArn, payload);
  };
  const discard = async (destination: string, record: Record<string, unknown>): Promise<void> => {
    if (destination.startsWith('arn:aws:sqs:') && sqs !== undefined) {
      await sqs.queues.send(destination, { body: JSON.stringify(record) });
      return;
    }
    if (context.callAws === undefined) throw new Error('no AWS client');
    await context.callAws('sns', 'Publish', { TopicArn: destination, Message: JSON.stringify(record) });
  };

  const pollerOf = (mapping: EventSourceMapping): Poller | undefined => {
    const batchDeps = {
      log,
      invoke: async (functionArn: string, payload: string) => {
        const result = await invoke(functionArn, payload);
        results.set(mapping.uuid, result.functionError === undefined ? 'OK' : 'PROBLEM: Function call failed');
        return result;
      },
    };
    if (mapping.kind === 'sqs') {
      if (sqs === undefined) return undefined;
      return new SqsPoller(mapping, { ...batchDeps, queues: sqs.queues, region: context.region });
    }
    let source: ShardSource;
    if (mapping.kind === 'kinesis') {
      if (kinesis === undefined) return undefined;
      const fnName = mapping.functionArn.slice(mapping.functionArn.lastIndexOf(':') + 1);
      source = kinesisSource(kinesis.reader, mapping, context.region, `arn:aws:iam::${context.accountId}:role/${fnName}-role`);
    } else {
      if (dynamodb === undefined) return undefined;
      source = dynamodbSource(dynamodb, mapping);
    }
    return new StreamPoller(mapping, source, { ...batchDeps, checkpoints: store, discard });
  };

  const run = (entry: Entry): void => {
    if (!entry.mapping.enabled) return;
    const poller = pollerOf(entry.mapping);
    if (poller === undefined) {
      log.warn(`event source ${entry.mapping.uuid}: ${entry.mapping.eventSourceArn} is not served by an embedded service; not polled`);
      return;
    }
    try {
      poller.start();
      entry.poller = poller;
    } catch (error) {
      log.warn(`event source ${entry.mapping.uuid}: ${entry.mapping.eventSourceArn} cannot be read: ${(error as Error).message}`);
    }
  };
  const halt = (entry: Entry): void => {
    const poller = entry.poller;
    entry.poller = undefined;
    if (poller !== undefined) void poller.stop();
  };

  const now = () => Date.now() / 1000;
  try {
    for (const mapping of templateMappings(context.project, now())) entries.set(mapping.uuid, { mapping, stored: undefined, poller: undefined });
    for (const stored of store.mappings()) {
      try {
        entries.set(stored.uuid, { mapping: normalizeMapping(stored.uuid, stored.functionArn, stored.props, false, stored.lastModified), stored, poller: undefined });
      } catch (error) {
        log.warn(`event source ${stored.uuid}: stored mapping skipped: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    store.close();
    throw error;
  }
  for (const entry of entries.values()) run(entry);

  const functionArn = (name: string): string | undefined => lambda?.get(name)?.arn;
  const invalid = (message: string) => new LambdaServiceError('InvalidParameterValueException', message, 400);
  const normalize = (uuid: string, fnArn: string, props: Record<string, unknown>, lastModified: number): EventSourceMapping => {
    try {
      return normalizeMapping(uuid, fnArn, props, false, lastModified);
    } catch (error) {
      if (error instanceof MappingError) throw invalid(error.message);
      throw error;
    }
  };
  const sourceExists = (mapping: EventSourceMapping): boolean => {
    if (mapping.kind === 'sqs') return sqs?.queues.resolve(mapping.eventSourceArn) !== undefined;
    if (mapping.kind === 'kinesis') return kinesis?.reader.streamArn(mapping.eventSourceArn) !== undefined;
    return dynamodb !== undefined;
  };

  const registry: MappingRegistry = {
    list: () => [...entries.values()].map((e) => e.mapping),
    get: (uuid) => entries.get(uuid)?.mapping,
    functionArn,
    lastProcessingResult: (uuid) => results.get(uuid) ?? 'No records processed',
    create(props) {
      const name = props['FunctionName'];
      if (typeof name !== 'string' || name === '') throw invalid('FunctionName is required');
      const fnArn = functionArn(name);
      if (fnArn === undefined) throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${name}`, 404);
      const { FunctionName: _, ...rest } = props;
      const uuid = randomUUID();
      const mapping = normalize(uuid, fnArn, rest, now());
      if (!sourceExists(mapping)) throw invalid(`The provided event source ${mapping.eventSourceArn} does not exist`);
      for (const entry of entries.values()) {
        if (entry.mapping.eventSourceArn === mapping.eventSourceArn && entry.mapping.functionArn === fnArn) {
          // Wording per source as Lambda answers it (seen in AWS SAM issue #1320 and DataBiosphere/azul issue #3399).
          const fn = fnArn.slice(fnArn.lastIndexOf(':') + 1);
          const message =
            mapping.kind === 'sqs'
              ? `An event source mapping with SQS arn (" ${mapping.eventSourceArn} ") and function (" ${fn} ") already exists. Please update or delete the existing mapping with UUID ${entry.mapping.uuid}`
              : `The event source arn (" ${mapping.eventSourceArn} ") and function (" ${fn} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${entry.mapping.uuid}`;
          throw new LambdaServiceError('ResourceConflictException', message, 409);
        }
      }
      const stored: StoredMapping = { uuid, functionArn: fnArn, props: rest, lastModified: mapping.lastModified };
      store.putMapping(stored);
      const entry: Entry = { mapping, stored, poller: undefined };
      entries.set(uuid, entry);
      run(entry);
      return mapping;
    },
    update(uuid, props) {
      const entry = entries.get(uuid);
      if (entry === undefined) throw notFound();
      if (entry.stored === undefined) throw invalid(`The mapping ${uuid} is declared in the template; change it there`);
      let fnArn = entry.stored.functionArn;
      if (typeof props['FunctionName'] === 'string') fnArn = functionArn(props['FunctionName']) ?? fnArn;
      const { FunctionName: _, UUID: __, ...changes } = props;
      const merged = { ...entry.stored.props, ...changes };
      const mapping = normalize(uuid, fnArn, merged, now());
      halt(entry);
      entry.stored = { uuid, functionArn: fnArn, props: merged, lastModified: mapping.lastModified };
      entry.mapping = mapping;
      store.putMapping(entry.stored);
      run(entry);
      return mapping;
    },
    delete(uuid) {
      const entry = entries.get(uuid);
      if (entry === undefined) throw notFound();
      if (entry.stored === undefined) throw invalid(`The mapping ${uuid} is declared in the template; remove it there`);
      halt(entry);
      entries.delete(uuid);
      store.deleteMapping(uuid);
      return entry.mapping;
    },
  };

  let closed = false;
  return {
    name: 'event-sources',
    matches: (request) => request.path === MAPPINGS_PATH || request.path.startsWith(MAPPINGS_PATH + '/'),
    handle: (request, res) => handleMappingsRequest(registry, request, res),
    async close() {
      if (closed) return;
      closed = true;
      const stopping = [...entries.values()].map((e) => e.poller?.stop());
      for (const entry of entries.values()) entry.poller = undefined;
      await Promise.all(stopping);
      store.close();
    },
  };
}
