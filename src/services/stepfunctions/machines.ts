/**
 * State machine operations: Create, Describe, Update, Delete, List, ValidateStateMachineDefinition and
 * tags.
 * AWS docs: Step Functions API reference, "CreateStateMachine" (idempotent for an identical request,
 * StateMachineAlreadyExists otherwise), "DescribeStateMachine", "UpdateStateMachine",
 * "DeleteStateMachine", "ListStateMachines", "ValidateStateMachineDefinition", "TagResource".
 */
import { randomUUID } from 'node:crypto';
import { validateDefinition } from './asl/validate.js';
import { apiError, checkName, decodePageToken, encodePageToken, machineArn, maxResults, optionalString, requiredString, seconds, type Input } from './context.js';
import { checkArn, checkedDefinition, type Operation, type SfnContext } from './service-context.js';
import type { MachineRecord, MachineType } from './store.js';

function machineType(input: Input): MachineType {
  const type = input['type'] ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
  }
  return type;
}

export function requireMachine(ctx: SfnContext, arn: string): MachineRecord {
  checkArn(arn, ['stateMachine']);
  const machine = ctx.store.getMachine(arn);
  if (machine === undefined) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return machine;
}

function tagsOf(input: Input): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of (input['tags'] as { key?: string; value?: string }[] | undefined) ?? []) if (tag.key !== undefined) tags[tag.key] = tag.value ?? '';
  return tags;
}

const createStateMachine: Operation = (ctx, input) => {
  const name = requiredString(input, 'name');
  checkName(name);
  const definition = requiredString(input, 'definition');
  const roleArn = requiredString(input, 'roleArn');
  const type = machineType(input);
  checkedDefinition(definition);
  const arn = machineArn(ctx, name);
  const existing = ctx.store.getMachine(arn);
  if (existing !== undefined) {
    if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) {
      return { stateMachineArn: arn, creationDate: seconds(existing.createdMs) };
    }
    throw apiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const now = ctx.now();
  ctx.store.putMachine({ arn, name, type, definition, roleArn, createdMs: now, updatedMs: null, description: optionalString(input, 'versionDescription') ?? '', tags: tagsOf(input) });
  return { stateMachineArn: arn, creationDate: seconds(now) };
};

export function describeMachine(machine: MachineRecord) {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: seconds(machine.createdMs),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    revisionId: String(machine.updatedMs ?? machine.createdMs),
    ...(machine.description !== '' ? { description: machine.description } : {}),
  };
}

const describeStateMachine: Operation = (ctx, input) => describeMachine(requireMachine(ctx, requiredString(input, 'stateMachineArn')));

const updateStateMachine: Operation = (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'stateMachineArn'));
  const definition = optionalString(input, 'definition');
  const roleArn = optionalString(input, 'roleArn');
  if (definition === undefined && roleArn === undefined && input['loggingConfiguration'] === undefined && input['tracingConfiguration'] === undefined) {
    throw apiError('MissingRequiredParameter', 'Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified');
  }
  if (definition !== undefined) checkedDefinition(definition);
  const now = ctx.now();
  ctx.store.putMachine({ ...machine, definition: definition ?? machine.definition, roleArn: roleArn ?? machine.roleArn, updatedMs: now });
  return { updateDate: seconds(now), revisionId: String(now), ...(input['publish'] === true ? { stateMachineVersionArn: `${machine.arn}:1` } : {}) };
};

const deleteStateMachine: Operation = (ctx, input) => {
  const arn = requiredString(input, 'stateMachineArn');
  checkArn(arn, ['stateMachine']);
  // Executions in progress keep running, as in AWS ("executions that are in progress will continue to run").
  ctx.store.deleteMachine(arn);
  return {};
};

const listStateMachines: Operation = (ctx, input) => {
  const max = maxResults(input);
  const offset = decodePageToken(optionalString(input, 'nextToken'));
  const all = ctx.store.listMachines();
  const page = all.slice(offset, offset + max);
  return {
    stateMachines: page.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: seconds(m.createdMs) })),
    ...(offset + max < all.length ? { nextToken: encodePageToken(offset + max) } : {}),
  };
};

const validateStateMachineDefinition: Operation = (_ctx, input) => {
  const text = requiredString(input, 'definition');
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    return { result: 'FAIL', diagnostics: [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (error as Error).message }], truncated: false };
  }
  const diagnostics = validateDefinition(definition).map((d) => ({ severity: 'ERROR', code: d.code, message: d.message, location: d.location }));
  return { result: diagnostics.length === 0 ? 'OK' : 'FAIL', diagnostics, truncated: false };
};

const tagResource: Operation = (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'resourceArn'));
  ctx.store.putMachine({ ...machine, tags: { ...machine.tags, ...tagsOf(input) } });
  return {};
};

const untagResource: Operation = (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'resourceArn'));
  const tags = { ...machine.tags };
  for (const key of (input['tagKeys'] as string[] | undefined) ?? []) delete tags[key];
  ctx.store.putMachine({ ...machine, tags });
  return {};
};

const listTagsForResource: Operation = (ctx, input) => {
  const machine = requireMachine(ctx, requiredString(input, 'resourceArn'));
  return { tags: Object.entries(machine.tags).map(([key, value]) => ({ key, value })) };
};

export const MACHINE_OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: createStateMachine,
  DescribeStateMachine: describeStateMachine,
  UpdateStateMachine: updateStateMachine,
  DeleteStateMachine: deleteStateMachine,
  ListStateMachines: listStateMachines,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};

export const newExecutionName = () => randomUUID();
