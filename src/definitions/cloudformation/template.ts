/**
 * The sections of a CloudFormation / SAM template before any intrinsic is resolved: parameters (with
 * overrides), mappings, conditions, resources and outputs (CloudFormation User Guide "Template anatomy" and
 * "Parameters").
 */
import { at, type Loc, type Problems } from '../errors.js';
import { Fields, scalarString, type JsonObject } from '../values.js';

/** Where the stack runs: what the pseudo parameters return. */
export interface StackEnv {
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  urlSuffix: string;
  stackId: string;
  /** Local AWS endpoint (queue URLs point there), e.g. `http://127.0.0.1:4566`. */
  awsEndpoint?: string;
  /** Where the template's database servers listen (`Endpoint.Address` / `Endpoint.Port`), by server index. */
  databases?: DatabaseEndpoints;
}

export interface DatabaseEndpoints {
  address: string;
  port(index: number): number;
}

export interface RawResource {
  logicalId: string;
  type: string;
  /** As written (after SAM Globals), intrinsics unresolved. */
  properties: JsonObject;
  condition?: string;
  metadata: JsonObject;
  loc: Loc;
  /** Created by the SAM transform (implicit APIs, function roles), not written in the file. */
  implicit: boolean;
  /** `DependsOn` as written: each logical id and where it is. */
  dependsOn?: { name: string; loc: Loc }[];
}

export interface ParameterValue {
  /** What `Ref` returns: a list for `List<...>` and `CommaDelimitedList` parameters. */
  value: string | string[];
  /** The value as a string, for `Project.parameters`. */
  text: string;
}

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const KNOWN_TRANSFORMS = [SAM_TRANSFORM, 'AWS::LanguageExtensions'];

export class Template {
  readonly resources = new Map<string, RawResource>();
  readonly parameters = new Map<string, ParameterValue>();
  private readonly declared = new Set<string>();
  readonly mappings: JsonObject;
  readonly conditions: JsonObject;
  readonly outputs: JsonObject;
  readonly globals: JsonObject;
  readonly isSam: boolean;
  readonly root: Loc;

  constructor(
    readonly file: string,
    doc: JsonObject,
    readonly env: StackEnv,
    readonly problems: Problems,
    overrides: Record<string, string>,
  ) {
    this.root = { file, pointer: '' };
    const f = new Fields(doc, this.root, problems);
    const transforms = f.strList('Transform', true);
    transforms.forEach((t, i) => {
      const loc = Array.isArray(doc['Transform']) ? f.at('Transform', i) : f.at('Transform');
      if (!KNOWN_TRANSFORMS.includes(t)) problems.add(loc, `unsupported transform ${JSON.stringify(t)}`);
    });
    this.isSam = transforms.includes(SAM_TRANSFORM);
    this.mappings = f.record('Mappings') ?? {};
    this.conditions = f.record('Conditions') ?? {};
    this.outputs = f.record('Outputs') ?? {};
    this.globals = this.isSam ? (f.record('Globals') ?? {}) : {};
    if (!this.isSam && f.has('Globals')) problems.add(f.at('Globals'), 'Globals is a SAM section: add `Transform: AWS::Serverless-2016-10-31`');
    this.readParameters(f, overrides);
    this.readResources(f);
  }

  private readParameters(f: Fields, overrides: Record<string, string>): void {
    const declared = f.record('Parameters') ?? {};
    for (const name of Object.keys(overrides)) {
      if (!(name in declared)) this.problems.add(f.at('Parameters'), `parameter override ${JSON.stringify(name)} is not a parameter of the template`);
    }
    for (const [name, spec] of Object.entries(declared)) {
      this.declared.add(name);
      const p = Fields.of(spec, f.at('Parameters', name), this.problems);
      if (!p) continue;
      const type = p.str('Type', true) ?? 'String';
      const given = overrides[name] ?? (Array.isArray(p.raw('Default')) ? p.strList('Default').join(',') : p.str('Default'));
      if (given === undefined) {
        this.problems.add(p.loc, `parameter ${name} has no Default and no override was given`);
        continue;
      }
      this.checkParameter(name, type, given, p);
      const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
      this.parameters.set(name, { value: isList ? given.split(',').map((s) => s.trim()) : given, text: given });
    }
  }

  /** The constraints CloudFormation checks before creating a stack. */
  private checkParameter(name: string, type: string, value: string, p: Fields): void {
    const allowed = p.strList('AllowedValues');
    if (allowed.length > 0 && !allowed.includes(value)) {
      this.problems.add(p.loc, `parameter ${name}: ${JSON.stringify(value)} is not one of AllowedValues (${allowed.join(', ')})`);
    }
    const pattern = p.str('AllowedPattern');
    if (pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(`^(?:${pattern})$`);
      } catch {
        this.problems.add(p.at('AllowedPattern'), `invalid regular expression ${JSON.stringify(pattern)}`);
      }
      if (re && !re.test(value)) this.problems.add(p.loc, `parameter ${name}: ${JSON.stringify(value)} does not match AllowedPattern`);
    }
    if (type === 'Number' && !Number.isFinite(Number(value))) this.problems.add(p.loc, `parameter ${name}: ${JSON.stringify(value)} is not a number`);
  }

  private readResources(f: Fields): void {
    const resources = f.record('Resources');
    if (!resources) {
      this.problems.add(this.root, 'a template needs a Resources section');
      return;
    }
    for (const [logicalId, spec] of Object.entries(resources)) {
      const r = Fields.of(spec, f.at('Resources', logicalId), this.problems);
      if (!r) continue;
      if (!/^[A-Za-z0-9]+$/.test(logicalId)) this.problems.add(r.loc, `logical id ${JSON.stringify(logicalId)} must be alphanumeric`);
      const type = r.str('Type', true);
      if (type === undefined) continue;
      const condition = r.str('Condition');
      if (condition !== undefined && !(condition in this.conditions)) this.problems.add(r.at('Condition'), `condition ${JSON.stringify(condition)} is not defined`);
      const dependsOn = (spec as JsonObject)['DependsOn'];
      const list = Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn];
      this.resources.set(logicalId, {
        logicalId,
        type,
        properties: r.record('Properties') ?? {},
        ...(condition !== undefined && { condition }),
        metadata: r.record('Metadata') ?? {},
        loc: r.loc,
        implicit: false,
        dependsOn: list.flatMap((d, i) => {
          const name = scalarString(d);
          return name === undefined ? [] : [{ name, loc: at(r.loc, 'DependsOn', ...(Array.isArray(dependsOn) ? [i] : [])) }];
        }),
      });
    }
  }

  /** After the SAM transform: a DependsOn may name a resource the transform generates (e.g. `MyApiProdStage`). */
  checkDependsOn(): void {
    for (const resource of this.resources.values()) {
      for (const { name, loc } of resource.dependsOn ?? []) {
        if (!this.resources.has(name)) this.problems.add(loc, `DependsOn names an unknown resource ${JSON.stringify(name)}`);
      }
    }
  }

  declaresParameter(name: string): boolean {
    return this.declared.has(name);
  }

  /** Adds a resource the SAM transform would generate (never replaces one written in the file). */
  addImplicit(resource: Omit<RawResource, 'implicit' | 'metadata'> & { metadata?: JsonObject }): RawResource {
    const existing = this.resources.get(resource.logicalId);
    if (existing) return existing;
    const added: RawResource = { metadata: {}, ...resource, implicit: true };
    this.resources.set(resource.logicalId, added);
    return added;
  }
}
