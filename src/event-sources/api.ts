/**
 * The event source mapping operations of the Lambda API (REST-JSON, 2015-03-31) on the embedded
 * endpoint: CreateEventSourceMapping, ListEventSourceMappings, GetEventSourceMapping,
 * UpdateEventSourceMapping and DeleteEventSourceMapping, so `aws lambda create-event-source-mapping`
 * and the SDK manage the same mappings the template declares.
 * AWS docs: Lambda API reference "CreateEventSourceMapping" (POST, 202), "ListEventSourceMappings"
 * (Marker/MaxItems paging), "GetEventSourceMapping", "UpdateEventSourceMapping" (PUT, 202),
 * "DeleteEventSourceMapping" (DELETE, 202, State Deleting).
 */
import type { ServerResponse } from 'node:http';
import { LambdaServiceError } from '../lambda/index.js';
import type { ServiceRequest } from '../services/service.js';
import { writeError, writeJson } from '../services/lambda/index.js';
import { configuration, type EventSourceMapping } from './mapping.js';

export const MAPPINGS_PATH = '/2015-03-31/event-source-mappings';

export interface MappingRegistry {
  list(): EventSourceMapping[];
  get(uuid: string): EventSourceMapping | undefined;
  /** Throws LambdaServiceError as the API answers. */
  create(props: Record<string, unknown>): EventSourceMapping;
  update(uuid: string, props: Record<string, unknown>): EventSourceMapping;
  delete(uuid: string): EventSourceMapping;
  /** The function ARN a FunctionName filter names, if any function. */
  functionArn(name: string): string | undefined;
  /** Last processing result of a mapping (streams), for the configuration. */
  lastProcessingResult(uuid: string): string | undefined;
}

const MAX_ITEMS = 100;

export async function handleMappingsRequest(registry: MappingRegistry, request: ServiceRequest, res: ServerResponse): Promise<void> {
  try {
    const rest = decodeURIComponent(request.path.slice(MAPPINGS_PATH.length)).replace(/^\/|\/$/g, '');
    const render = (mapping: EventSourceMapping, state?: string) => {
      const body = configuration(mapping, state);
      const result = registry.lastProcessingResult(mapping.uuid);
      if (result !== undefined && mapping.kind !== 'sqs') body['LastProcessingResult'] = result;
      return body;
    };
    if (rest === '') {
      if (request.method === 'POST') {
        writeJson(res, 202, render(registry.create(parseBody(request)), 'Creating'));
        return;
      }
      if (request.method === 'GET') {
        writeJson(res, 200, list(registry, new URLSearchParams(request.query), render));
        return;
      }
    } else if (!rest.includes('/')) {
      if (request.method === 'GET') {
        const mapping = registry.get(rest);
        if (mapping === undefined) throw notFound();
        writeJson(res, 200, render(mapping));
        return;
      }
      if (request.method === 'PUT') {
        writeJson(res, 202, render(registry.update(rest, parseBody(request)), 'Updating'));
        return;
      }
      if (request.method === 'DELETE') {
        writeJson(res, 202, render(registry.delete(rest), 'Deleting'));
        return;
      }
    }
    throw new LambdaServiceError('UnknownOperationException', `Unsupported operation ${request.method} ${request.path}`, 400);
  } catch (error) {
    if (!(error instanceof LambdaServiceError)) throw error;
    writeError(res, error);
  }
}

function list(registry: MappingRegistry, query: URLSearchParams, render: (m: EventSourceMapping) => Record<string, unknown>): Record<string, unknown> {
  const source = query.get('EventSourceArn');
  const fn = query.get('FunctionName');
  const fnArn = fn === null ? undefined : (registry.functionArn(fn) ?? fn);
  const all = registry.list().filter((m) => (source === null || m.eventSourceArn === source) && (fnArn === undefined || m.functionArn === fnArn));
  const start = Number(query.get('Marker') ?? 0) || 0;
  const max = Math.min(MAX_ITEMS, Math.max(1, Number(query.get('MaxItems') ?? MAX_ITEMS) || MAX_ITEMS));
  const page = all.slice(start, start + max);
  const out: Record<string, unknown> = { EventSourceMappings: page.map((mapping) => render(mapping)) };
  if (start + max < all.length) out['NextMarker'] = String(start + max);
  return out;
}

function parseBody(request: ServiceRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new LambdaServiceError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`, 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LambdaServiceError('InvalidRequestContentException', 'Could not parse request body into json', 400);
  return value as Record<string, unknown>;
}

/** "GetEventSourceMapping" errors: ResourceNotFoundException, 404. */
export function notFound(): LambdaServiceError {
  return new LambdaServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
}
