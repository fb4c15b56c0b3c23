/**
 * The template's event source mappings: SAM function `Events` of type SQS (Queue), Kinesis and
 * DynamoDB (Stream) — each the `AWS::Lambda::EventSourceMapping` the SAM transform would generate,
 * with its logical id `<Function><Event>` — and `AWS::Lambda::EventSourceMapping` resources.
 * A broken one fails the start naming the file, the JSON pointer and the problem.
 * AWS docs: AWS SAM developer guide "SQS", "Kinesis" and "DynamoDB" event source types (properties
 * passed through to the mapping); CloudFormation user guide "AWS::Lambda::EventSourceMapping".
 */
import type { FunctionDefinition, Project } from '../definitions/model.js';
import { at, displayPath, type Loc } from '../definitions/errors.js';
import { hashUuid } from '../definitions/ids.js';
import { parseFunctionRef } from '../lambda/index.js';
import { MappingError, normalizeMapping, type EventSourceMapping } from './mapping.js';

const SAM_TYPES: Record<string, string> = { SQS: 'Queue', Kinesis: 'Stream', DynamoDB: 'Stream' };

export function templateMappings(project: Project, now: number): EventSourceMapping[] {
  const out: EventSourceMapping[] = [];
  const byLogicalId = new Map(project.functions.map((fn) => [fn.logicalId, fn]));
  const byName = new Map(project.functions.map((fn) => [fn.name, fn]));
  for (const resource of project.resources) {
    if (resource.type === 'AWS::Serverless::Function') {
      const fn = byLogicalId.get(resource.logicalId);
      const events = resource.properties['Events'];
      if (fn === undefined || events === null || typeof events !== 'object') continue;
      for (const [name, event] of Object.entries(events as Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>)) {
        const sourceKey = typeof event?.Type === 'string' ? SAM_TYPES[event.Type] : undefined;
        if (sourceKey === undefined) continue;
        const loc = at(resource.source, 'Properties', 'Events', name, 'Properties');
        const { [sourceKey]: source, ...rest } = event.Properties ?? {};
        if (typeof source !== 'string') fail(at(loc, sourceKey), `the ${event.Type as string} event needs ${sourceKey} (an ARN)`);
        out.push(build(hashUuid(project.stackName, resource.logicalId + name), fn, { ...rest, EventSourceArn: source }, loc, now, sourceKey));
      }
    } else if (resource.type === 'AWS::Lambda::EventSourceMapping') {
      const loc = at(resource.source, 'Properties');
      const ref = resource.properties['FunctionName'];
      const parsed = typeof ref === 'string' ? parseFunctionRef(ref) : undefined;
      const fn = parsed === undefined ? undefined : byName.get(parsed.name);
      if (fn === undefined) fail(at(loc, 'FunctionName'), `${String(ref)} is not a function of the template`);
      out.push(build(resource.physicalId, fn, resource.properties, loc, now));
    }
  }
  return out;
}

/** `sourceKey`: the SAM property that holds the EventSourceArn. */
function build(uuid: string, fn: FunctionDefinition, props: Record<string, unknown>, loc: Loc, now: number, sourceKey = 'EventSourceArn'): EventSourceMapping {
  try {
    return normalizeMapping(uuid, fn.arn, props, true, now);
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    const [property, ...message] = error.message.split(': ');
    const path = property === 'EventSourceArn' ? [sourceKey] : property!.split('/');
    fail(at(loc, ...path), message.join(': '));
  }
}

function fail(loc: Loc, message: string): never {
  throw new Error(`${displayPath(loc.file)}#${loc.pointer}: ${message}`);
}
