/**
 * Definition checks made when a state machine is created: structure, transitions, reachability,
 * state fields, paths, intrinsic functions and Choice operators, reported the way Step Functions words
 * InvalidDefinition (`SCHEMA_VALIDATION_FAILED: ... at /States/X`).
 * AWS docs: Amazon States Language specification ("Structure of a State Machine", each state's fields);
 * Step Functions API reference "CreateStateMachine" (InvalidDefinition) and "ValidateStateMachineDefinition".
 */
import { compilePath, looksLikePath, PathSyntaxError } from './jsonpath.js';
import { isIntrinsic, IntrinsicSyntaxError, parseIntrinsic } from './intrinsics.js';
import { OPERATORS } from './choice.js';
import { States } from './errors.js';

export interface Diagnostic {
  code: string;
  message: string;
  location: string;
}

type Obj = Record<string, unknown>;
const TYPES = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function validateDefinition(definition: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isObject(definition)) return [{ code: 'SCHEMA_VALIDATION_FAILED', message: 'The state machine definition must be a JSON object', location: '' }];
  const language = definition['QueryLanguage'] ?? 'JSONPath';
  if (language !== 'JSONPath' && language !== 'JSONata') out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `Value is not a valid query language: ${String(language)}`, location: '/QueryLanguage' });
  block(definition, '', language as string, out);
  return out;
}

function block(def: Obj, at: string, language: string, out: Diagnostic[]): void {
  const states = def['States'];
  const startAt = def['StartAt'];
  if (typeof startAt !== 'string') out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "StartAt" is required but was missing', location: at || '/' });
  if (!isObject(states) || Object.keys(states).length === 0) {
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "States" is required but was missing', location: at || '/' });
    return;
  }
  if (typeof startAt === 'string' && !(startAt in states)) {
    out.push({ code: 'MISSING_TRANSITION_TARGET', message: `Missing 'Next' target: ${startAt}`, location: `${at}/StartAt` });
  }
  const targets = new Map<string, string[]>();
  for (const [name, state] of Object.entries(states)) {
    const where = `${at}/States/${name}`;
    if (name.length > 80) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'State names must be at most 80 characters', location: where });
    if (!isObject(state)) {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A state must be a JSON object', location: where });
      continue;
    }
    targets.set(name, stateChecks(state, where, (state['QueryLanguage'] as string | undefined) ?? language, out));
  }
  for (const [name, nexts] of targets) {
    for (const next of nexts) {
      if (!(next in states)) out.push({ code: 'MISSING_TRANSITION_TARGET', message: `Missing 'Next' target: ${next}`, location: `${at}/States/${name}` });
    }
  }
  // "Every state ... MUST be reachable" from StartAt.
  if (typeof startAt === 'string' && startAt in states) {
    const seen = new Set<string>([startAt]);
    const queue = [startAt];
    while (queue.length > 0) {
      for (const next of targets.get(queue.pop()!) ?? []) {
        if (!seen.has(next) && next in states) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    for (const name of Object.keys(states)) {
      if (!seen.has(name)) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `State "${name}" is not reachable`, location: `${at}/States/${name}` });
    }
  }
}

function required(state: Obj, field: string, where: string, out: Diagnostic[]): void {
  if (state[field] === undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The field "${field}" is required but was missing`, location: where });
}

function path(value: unknown, field: string, where: string, out: Diagnostic[], reference = false): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') {
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${field}' must be a STRING`, location: where });
    return;
  }
  try {
    const compiled = compilePath(value);
    if (reference && (!compiled.reference || compiled.root.kind !== 'input')) {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${field}' must be a valid Reference Path: ${value}`, location: where });
    }
  } catch (error) {
    if (!(error instanceof PathSyntaxError)) throw error;
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${field}' must be a valid JSONPath: ${value}`, location: where });
  }
}

/** `.$` values of a payload template: a path or an intrinsic function. */
function template(value: unknown, field: string, where: string, out: Diagnostic[]): void {
  if (Array.isArray(value)) value.forEach((v) => template(v, field, where, out));
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (!key.endsWith('.$')) {
      template(inner, field, where, out);
      continue;
    }
    if (typeof inner !== 'string') {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${key}' must be a STRING that contains a JSONPath`, location: `${where}/${field}` });
    } else if (isIntrinsic(inner)) {
      try {
        parseIntrinsic(inner);
      } catch (error) {
        if (!(error instanceof IntrinsicSyntaxError || error instanceof PathSyntaxError)) throw error;
        out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call: ${error.message}`, location: `${where}/${field}` });
      }
    } else if (!looksLikePath(inner)) {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`, location: `${where}/${field}` });
    } else path(inner, key, `${where}/${field}`, out);
  }
}

function errorHandlers(state: Obj, where: string, out: Diagnostic[], nexts: string[]): void {
  for (const field of ['Retry', 'Catch'] as const) {
    const list = state[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The field "${field}" must be an array`, location: where });
      continue;
    }
    list.forEach((item: unknown, i) => {
      const at = `${where}/${field}[${i}]`;
      const names = isObject(item) ? item['ErrorEquals'] : undefined;
      if (!Array.isArray(names) || names.length === 0) {
        out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "ErrorEquals" is required and must be a non-empty array', location: at });
        return;
      }
      // "The reserved name States.ALL ... MUST appear alone in its ErrorEquals array and MUST appear in the last retrier/catcher".
      if (names.includes(States.ALL) && (names.length > 1 || i !== list.length - 1)) {
        out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'States.ALL must appear alone in the last ErrorEquals', location: at });
      }
      if (field === 'Catch') {
        if (typeof (item as Obj)['Next'] !== 'string') out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "Next" is required but was missing', location: at });
        else nexts.push((item as Obj)['Next'] as string);
        path((item as Obj)['ResultPath'], 'ResultPath', at, out, true);
      } else {
        const max = (item as Obj)['MaxAttempts'];
        if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) {
          out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'MaxAttempts must be a non-negative integer', location: at });
        }
        const rate = (item as Obj)['BackoffRate'];
        if (rate !== undefined && (typeof rate !== 'number' || rate < 1)) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'BackoffRate must be at least 1.0', location: at });
      }
    });
  }
}

function choiceRule(rule: unknown, where: string, out: Diagnostic[], top: boolean): void {
  if (!isObject(rule)) {
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A Choice Rule must be a JSON object', location: where });
    return;
  }
  if (top && typeof rule['Next'] !== 'string') out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "Next" is required but was missing', location: where });
  if (Array.isArray(rule['And']) || Array.isArray(rule['Or'])) {
    ((rule['And'] ?? rule['Or']) as unknown[]).forEach((r, i) => choiceRule(r, `${where}/${rule['And'] ? 'And' : 'Or'}[${i}]`, out, false));
    return;
  }
  if (rule['Not'] !== undefined) {
    choiceRule(rule['Not'], `${where}/Not`, out, false);
    return;
  }
  if (rule['Condition'] !== undefined) return;
  path(rule['Variable'], 'Variable', where, out);
  if (rule['Variable'] === undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "Variable" is required but was missing', location: where });
  const operators = Object.keys(rule).filter((k) => OPERATORS.has(k));
  if (operators.length !== 1) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A Choice Rule must have exactly one comparison operator', location: where });
  for (const op of operators) if (op.endsWith('Path')) path(rule[op], op, where, out);
}

const JSONPATH_ONLY = ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];

function stateChecks(state: Obj, where: string, language: string, out: Diagnostic[]): string[] {
  const type = state['Type'];
  const nexts: string[] = [];
  if (typeof type !== 'string' || !TYPES.has(type)) {
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The field "Type" should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]`, location: where });
    return nexts;
  }
  // Each query language has its own fields ("Transforming data with JSONata": JSONata states have Arguments
  // and Output instead of InputPath, Parameters, ResultSelector, ResultPath, OutputPath and the *Path fields).
  for (const field of language === 'JSONata' ? JSONPATH_ONLY : JSONATA_ONLY) {
    if (state[field] !== undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: `The field "${field}" is not supported for the ${language} query language`, location: `${where}/${field}` });
  }
  if (language === 'JSONata' && Array.isArray(state['Choices'])) {
    state['Choices'].forEach((rule, i) => {
      if (isObject(rule) && rule['Condition'] === undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A JSONata choice rule needs a "Condition"', location: `${where}/Choices[${i}]` });
    });
  }
  if (language === 'JSONPath') {
    path(state['InputPath'], 'InputPath', where, out);
    path(state['OutputPath'], 'OutputPath', where, out);
    path(state['ResultPath'], 'ResultPath', where, out, true);
    path(state['ItemsPath'], 'ItemsPath', where, out);
    for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) template(state[field], field, where, out);
  }
  if (['Pass', 'Task', 'Wait', 'Parallel', 'Map'].includes(type)) {
    const hasNext = typeof state['Next'] === 'string';
    const ends = state['End'] === true;
    if (hasNext === ends) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'Exactly one of "Next" or "End" is required', location: where });
    if (hasNext) nexts.push(state['Next'] as string);
  }
  if (['Task', 'Parallel', 'Map'].includes(type)) errorHandlers(state, where, out, nexts);
  switch (type) {
    case 'Task':
      required(state, 'Resource', where, out);
      break;
    case 'Choice': {
      const choices = state['Choices'];
      if (!Array.isArray(choices) || choices.length === 0) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "Choices" must be a non-empty array', location: where });
      else
        choices.forEach((rule, i) => {
          choiceRule(rule, `${where}/Choices[${i}]`, out, true);
          if (isObject(rule) && typeof rule['Next'] === 'string') nexts.push(rule['Next']);
        });
      if (typeof state['Default'] === 'string') nexts.push(state['Default']);
      break;
    }
    case 'Wait': {
      const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((f) => state[f] !== undefined);
      if (given.length !== 1) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A Wait state must contain exactly one of Seconds, SecondsPath, Timestamp or TimestampPath', location: where });
      break;
    }
    case 'Fail':
      if (state['Error'] !== undefined && state['ErrorPath'] !== undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A Fail state cannot have both Error and ErrorPath', location: where });
      if (state['Cause'] !== undefined && state['CausePath'] !== undefined) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A Fail state cannot have both Cause and CausePath', location: where });
      break;
    case 'Parallel': {
      const branches = state['Branches'];
      if (!Array.isArray(branches) || branches.length === 0) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "Branches" must be a non-empty array', location: where });
      else branches.forEach((b, i) => (isObject(b) ? block(b, `${where}/Branches[${i}]`, language, out) : undefined));
      break;
    }
    case 'Map': {
      const processor = state['ItemProcessor'] ?? state['Iterator'];
      if (!isObject(processor)) out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'The field "ItemProcessor" is required but was missing', location: where });
      else block(processor, `${where}/ItemProcessor`, language, out);
      break;
    }
  }
  return nexts;
}
