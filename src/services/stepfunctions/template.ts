/**
 * State machines declared in the template: `AWS::StepFunctions::StateMachine` (Definition,
 * DefinitionString, DefinitionSubstitutions, StateMachineType, RoleArn) and `AWS::Serverless::StateMachine`
 * (Definition, DefinitionUri as a local JSON or YAML file, DefinitionSubstitutions, Type, Role). They exist
 * at start; the template wins over a stored machine of the same name.
 * AWS docs: CloudFormation "AWS::StepFunctions::StateMachine"; AWS SAM "AWS::Serverless::StateMachine".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Project, TemplateResource } from '../../definitions/model.js';
import { AwsServiceError } from '../protocol/errors.js';
import { checkedDefinition } from './service-context.js';
import type { MachineRecord, MachineType, StepFunctionsStore } from './store.js';
import { DefinitionError } from '../../definitions/errors.js';

/** `${Name}` placeholders replaced by DefinitionSubstitutions values. */
function substitute(text: string, substitutions: Record<string, unknown>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => (name in substitutions ? String(substitutions[name]) : whole));
}

/** Inside an object definition, substitutions apply to string values (so JSON structure cannot break). */
function substituteValues(value: unknown, substitutions: Record<string, unknown>): unknown {
  if (typeof value === 'string') return substitute(value, substitutions);
  if (Array.isArray(value)) return value.map((v) => substituteValues(v, substitutions));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteValues(v, substitutions)]));
  }
  return value;
}

/** A state machine the template declares wrongly, at `pointer` in the template. */
class TemplateError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

function definitionText(resource: TemplateResource, templateFile: string): { text: string; pointer: string } {
  const props = resource.properties;
  const substitutions = (props['DefinitionSubstitutions'] as Record<string, unknown> | undefined) ?? {};
  const at = `${resource.source.pointer}/Properties`;
  if (props['Definition'] !== undefined) {
    return { text: JSON.stringify(substituteValues(props['Definition'], substitutions)), pointer: `${at}/Definition` };
  }
  if (typeof props['DefinitionString'] === 'string') return { text: substitute(props['DefinitionString'], substitutions), pointer: `${at}/DefinitionString` };
  const uri = props['DefinitionUri'];
  if (typeof uri === 'string' && !uri.startsWith('s3://')) {
    const file = path.resolve(path.dirname(templateFile), uri);
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (error) {
      throw new TemplateError(`${at}/DefinitionUri`, `cannot read ${file}: ${(error as Error).message}`);
    }
    // A SAM definition file is JSON or YAML; substitutions apply to its text, as for DefinitionString.
    let parsed: unknown;
    try {
      parsed = /\.ya?ml$/i.test(file) ? parseYaml(raw) : JSON.parse(raw);
    } catch (error) {
      throw new TemplateError(`${at}/DefinitionUri`, `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
    }
    return { text: substitute(JSON.stringify(parsed), substitutions), pointer: `${at}/DefinitionUri` };
  }
  throw new TemplateError(at, `the state machine has no local definition (Definition, DefinitionString or a local DefinitionUri; S3 locations are not read)`);
}

/** Creates or updates the template's state machines; throws with file and JSON pointer on a malformed one. */
export function loadTemplateMachines(project: Project, store: StepFunctionsStore, now: number): MachineRecord[] {
  const loaded: MachineRecord[] = [];
  for (const resource of project.resources) {
    const serverless = resource.type === 'AWS::Serverless::StateMachine';
    if (!serverless && resource.type !== 'AWS::StepFunctions::StateMachine') continue;
    const arn = resource.physicalId;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    const props = resource.properties;
    let definition: string;
    try {
      const { text, pointer } = definitionText(resource, project.file);
      try {
        definition = JSON.stringify(checkedDefinition(text));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        throw new TemplateError(pointer, error.message);
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new DefinitionError([{ file: resource.source.file, pointer: error.pointer, message: error.message }]);
    }
    const type = String((serverless ? props['Type'] : props['StateMachineType']) ?? 'STANDARD') as MachineType;
    const role = (serverless ? props['Role'] : props['RoleArn']) ?? `arn:aws:iam::${project.accountId}:role/${project.stackName}-${resource.logicalId}Role`;
    const existing = store.getMachine(arn);
    const record: MachineRecord = {
      arn,
      name,
      type: type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
      roleArn: String(role),
      createdMs: existing?.createdMs ?? now,
      updatedMs: existing !== undefined && existing.definition !== definition ? now : (existing?.updatedMs ?? null),
      description: '',
      tags: existing?.tags ?? {},
    };
    store.putMachine(record);
    loaded.push(record);
  }
  return loaded;
}
