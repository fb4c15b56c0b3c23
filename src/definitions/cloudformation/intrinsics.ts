/**
 * Resolves CloudFormation intrinsic functions, conditions, pseudo parameters, `Ref` and `Fn::GetAtt`, lazily and
 * memoized so the order of the template does not matter, with cycle detection (CloudFormation User Guide
 * "Intrinsic function reference", "Pseudo parameters reference", "Conditions").
 */
import { at, type Loc, type Problems } from '../errors.js';
import { hashId } from '../ids.js';
import { describe, isRecord, scalarString, type JsonObject } from '../values.js';
import { defaultName, resourceType, type ResourceView } from './resource-types.js';
import type { RawResource, StackEnv, Template } from './template.js';

/** `Ref: AWS::NoValue`: removes the enclosing key or list item. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type Fn = (this: Resolver, arg: unknown, loc: Loc) => unknown;

export class Resolver {
  private readonly cache = new Map<string, unknown>();
  /** Keys being computed, innermost last: a key met again is a cycle. */
  private readonly active: string[] = [];
  private readonly views = new Map<string, ResourceView>();

  constructor(
    readonly template: Template,
    readonly problems: Problems,
  ) {}

  get env(): StackEnv {
    return this.template.env;
  }

  /** Resolves every intrinsic in `value` (a template fragment found at `loc`). Failed parts are left out. */
  resolve(value: unknown, loc: Loc): unknown {
    const out = this.evaluate(value, loc);
    return out === NO_VALUE ? undefined : out;
  }

  /**
   * A list argument of a function (`Fn::Join`, `Fn::Select`): written as a list, every item must resolve (a
   * joined string missing a part would be wrong); written as an intrinsic, it must resolve to a list.
   */
  list(value: unknown, loc: Loc, what: string): unknown[] | undefined {
    if (Array.isArray(value)) {
      const items = value.map((item, i) => this.evaluate(item, at(loc, i)));
      return items.includes(undefined) ? undefined : items.filter((item) => item !== NO_VALUE);
    }
    const resolved = this.resolve(value, loc);
    if (resolved === undefined || Array.isArray(resolved)) return resolved;
    return this.fail(loc, `${what} expects a list, found ${describe(resolved)}`);
  }

  /** Like `resolve`, but keeps `NO_VALUE` for the caller to drop (`Fn::If` branches). */
  evaluate(value: unknown, loc: Loc): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const v = this.evaluate(item, at(loc, i));
        if (v !== NO_VALUE && v !== undefined) out.push(v);
      });
      return out;
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0]!;
      const fn = FUNCTIONS[key];
      if (fn) return fn.call(this, value[key], at(loc, key));
      if (key.startsWith('Fn::')) {
        this.problems.addUnresolved(at(loc, key), `unsupported intrinsic function ${key}`);
        return undefined;
      }
    }
    const out: JsonObject = {};
    for (const key of keys) {
      const v = this.evaluate(value[key], at(loc, key));
      if (v !== NO_VALUE && v !== undefined) out[key] = v;
    }
    return out;
  }

  /** Computes `key` once; a key required while it is being computed is a circular dependency. */
  private memo<T>(key: string, loc: Loc, compute: () => T): T | undefined {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const start = this.active.indexOf(key);
    if (start >= 0) {
      const chain = [...this.active.slice(start), key].map(describeKey).join(' -> ');
      this.problems.addUnresolved(loc, `circular dependency: ${chain}`);
      return undefined;
    }
    this.active.push(key);
    try {
      const value = compute();
      this.cache.set(key, value);
      return value;
    } finally {
      this.active.pop();
    }
  }

  fail(loc: Loc, message: string): undefined {
    this.problems.addUnresolved(loc, message);
    return undefined;
  }

  /** A template resource that exists and whose condition holds. */
  resource(logicalId: string, loc: Loc): RawResource | undefined {
    const resource = this.template.resources.get(logicalId);
    if (!resource) return undefined;
    if (!this.isCreated(logicalId)) {
      return this.fail(loc, `resource ${logicalId} is not created (its condition ${resource.condition} is false)`);
    }
    return resource;
  }

  isCreated(logicalId: string): boolean {
    const resource = this.template.resources.get(logicalId);
    if (!resource) return false;
    return resource.condition === undefined || this.condition(resource.condition, at(resource.loc, 'Condition'));
  }

  condition(name: string, loc: Loc): boolean {
    if (!(name in this.template.conditions)) {
      this.fail(loc, `condition ${JSON.stringify(name)} is not defined`);
      return false;
    }
    return (
      this.memo(`condition:${name}`, loc, () =>
        this.conditionValue(this.template.conditions[name], at(this.template.root, 'Conditions', name)),
      ) ?? false
    );
  }

  /** A condition expression: `Fn::Equals`/`Not`/`And`/`Or` or `{ Condition: name }`. */
  conditionValue(expr: unknown, loc: Loc): boolean {
    if (isRecord(expr) && Object.keys(expr).length === 1 && typeof expr['Condition'] === 'string') {
      return this.condition(expr['Condition'], at(loc, 'Condition'));
    }
    const value = this.evaluate(expr, loc);
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    if (value !== undefined) this.fail(loc, `a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition, found ${describe(value)}`);
    return false;
  }

  property(logicalId: string, key: string): unknown {
    const resource = this.template.resources.get(logicalId);
    if (!resource || resource.properties[key] === undefined) return undefined;
    const loc = at(resource.loc, 'Properties', key);
    return this.memo(`property:${logicalId}.${key}`, loc, () => this.resolve(resource.properties[key], loc));
  }

  properties(logicalId: string): JsonObject {
    const resource = this.template.resources.get(logicalId);
    const out: JsonObject = {};
    for (const key of Object.keys(resource?.properties ?? {})) {
      const value = this.property(logicalId, key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  view(logicalId: string): ResourceView {
    let view = this.views.get(logicalId);
    if (view) return view;
    const resource = this.template.resources.get(logicalId)!;
    const type = resourceType(resource.type);
    const resolver = this;
    view = {
      logicalId,
      type: resource.type,
      env: this.env,
      prop: (key) => resolver.property(logicalId, key),
      name: () =>
        resolver.memo(`name:${logicalId}`, resource.loc, () => {
          const declared = type?.nameProperty ? scalarString(resolver.property(logicalId, type.nameProperty)) : undefined;
          return declared ?? (type ? defaultName(type, view!) : logicalId);
        }) ?? logicalId,
      ref: () => resolver.ref(logicalId),
      id: (kind, length, alphabet) => hashId([kind, resolver.env.stackName, logicalId], length, alphabet),
      others: () => [...resolver.template.resources.keys()].filter((id) => resolver.isCreated(id)).map((id) => resolver.view(id)),
    };
    this.views.set(logicalId, view);
    return view;
  }

  /** What `Ref` returns for a resource: its physical id. */
  ref(logicalId: string): string {
    const resource = this.template.resources.get(logicalId)!;
    const type = resourceType(resource.type);
    return this.memo(`ref:${logicalId}`, resource.loc, () => (type ? type.ref(this.view(logicalId)) : logicalId)) ?? logicalId;
  }

  /** Every attribute the registry knows for the resource (for `Project.resources`). */
  attributes(logicalId: string): Record<string, unknown> {
    const type = resourceType(this.template.resources.get(logicalId)!.type);
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(type?.attributes ?? {})) {
      const value = this.attribute(logicalId, name, this.template.resources.get(logicalId)!.loc);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  attribute(logicalId: string, name: string, loc: Loc): unknown {
    const resource = this.template.resources.get(logicalId)!;
    const type = resourceType(resource.type);
    // Types the registry does not know (custom resources...) still load: the attribute is a placeholder.
    if (!type) return `${logicalId}.${name}`;
    const compute = type.attributes[name];
    if (!compute) return this.fail(loc, `${logicalId} (${resource.type}) has no attribute ${JSON.stringify(name)} for Fn::GetAtt`);
    return this.memo(`attribute:${logicalId}.${name}`, loc, () => compute(this.view(logicalId)));
  }

  /** A string argument (resolved); reports what it is otherwise. */
  stringArg(value: unknown, loc: Loc, what: string): string | undefined {
    const resolved = this.evaluate(value, loc);
    if (resolved === undefined) return undefined;
    const s = scalarString(resolved);
    return s ?? this.fail(loc, `${what} must be a string, found ${describe(resolved)}`);
  }

  listArg(value: unknown, loc: Loc, what: string, length?: [number, number]): unknown[] | undefined {
    if (!Array.isArray(value) || (length && (value.length < length[0] || value.length > length[1]))) {
      const size = length ? (length[0] === length[1] ? ` of ${length[0]}` : ` of ${length[0]} to ${length[1]}`) : '';
      return this.fail(loc, `${what} expects a list${size}, found ${describe(value)}`);
    }
    return value;
  }
}

/** Memo keys in words, for cycle messages: `property:Queue.QueueName` -> `Queue.Properties.QueueName`. */
function describeKey(key: string): string {
  const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const dot = rest.indexOf('.');
  switch (kind) {
    case 'property':
      return `${rest.slice(0, dot)}.Properties.${rest.slice(dot + 1)}`;
    case 'attribute':
      return `Fn::GetAtt ${rest}`;
    case 'name':
      return `name of ${rest}`;
    case 'ref':
      return `Ref ${rest}`;
    default:
      return `Condition ${rest}`;
  }
}

const PSEUDO: Record<string, (env: StackEnv) => unknown> = {
  'AWS::Region': (env) => env.region,
  'AWS::AccountId': (env) => env.accountId,
  'AWS::StackName': (env) => env.stackName,
  'AWS::StackId': (env) => env.stackId,
  'AWS::Partition': (env) => env.partition,
  'AWS::URLSuffix': (env) => env.urlSuffix,
  'AWS::NotificationARNs': () => [],
};

function refValue(this: Resolver, name: string, loc: Loc): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(this.env);
  const parameter = this.template.parameters.get(name);
  if (parameter) return parameter.value;
  if (this.template.resources.has(name)) return this.resource(name, loc) && this.ref(name);
  // SAM: `!Ref MyApi.Stage` is the stage name of an AWS::Serverless::Api.
  const [id, suffix] = name.split('.');
  if (suffix === 'Stage' && this.template.resources.get(id!)?.type === 'AWS::Serverless::Api') return this.property(id!, 'StageName');
  if (this.template.declaresParameter(name)) return undefined; // declared without a value: reported already
  return this.fail(loc, `unknown reference ${JSON.stringify(name)}: not a parameter, resource or pseudo parameter`);
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function sub(this: Resolver, arg: unknown, loc: Loc): unknown {
  let template: string | undefined;
  let variables: JsonObject = {};
  if (typeof arg === 'string') {
    template = arg;
  } else {
    const list = this.listArg(arg, loc, 'Fn::Sub', [2, 2]);
    if (!list) return undefined;
    if (typeof list[0] !== 'string') return this.fail(at(loc, 0), 'Fn::Sub expects a string template');
    if (!isRecord(list[1])) return this.fail(at(loc, 1), 'Fn::Sub expects a map of variables');
    template = list[0];
    variables = list[1];
  }
  let failed = false;
  const out = template.replace(SUB_VARIABLE, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`; // `${!Literal}` writes `${Literal}`
    const trimmed = name.trim();
    let value: unknown;
    if (trimmed in variables) {
      value = this.resolve(variables[trimmed], at(loc, 1, trimmed));
    } else if (trimmed.includes('.') && !(trimmed in PSEUDO)) {
      const dot = trimmed.indexOf('.');
      value = getAtt.call(this, [trimmed.slice(0, dot), trimmed.slice(dot + 1)], loc);
    } else {
      value = refValue.call(this, trimmed, loc);
    }
    const s = scalarString(value);
    if (s === undefined) {
      if (value !== undefined) this.fail(loc, `Fn::Sub variable \${${trimmed}} must be a string, found ${describe(value)}`);
      failed = true;
      return whole;
    }
    return s;
  });
  return failed ? undefined : out;
}

function getAtt(this: Resolver, arg: unknown, loc: Loc): unknown {
  let parts: unknown[];
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    if (dot < 0) return this.fail(loc, `Fn::GetAtt expects 'LogicalId.Attribute', found ${JSON.stringify(arg)}`);
    parts = [arg.slice(0, dot), arg.slice(dot + 1)];
  } else {
    const list = this.listArg(arg, loc, 'Fn::GetAtt', [2, 2]);
    if (!list) return undefined;
    parts = list;
  }
  const logicalId = scalarString(parts[0]);
  if (logicalId === undefined) return this.fail(at(loc, 0), 'Fn::GetAtt expects a logical id');
  const attribute = this.stringArg(parts[1], at(loc, 1), 'Fn::GetAtt attribute');
  if (attribute === undefined) return undefined;
  if (!this.template.resources.has(logicalId)) return this.fail(loc, `Fn::GetAtt names an unknown resource ${JSON.stringify(logicalId)}`);
  if (!this.resource(logicalId, loc)) return undefined;
  return this.attribute(logicalId, attribute, loc);
}

function conditionalBranch(this: Resolver, arg: unknown, loc: Loc): unknown {
  const list = this.listArg(arg, loc, 'Fn::If', [3, 3]);
  if (!list) return undefined;
  const name = scalarString(list[0]);
  if (name === undefined) return this.fail(at(loc, 0), 'Fn::If expects a condition name');
  const branch = this.condition(name, at(loc, 0)) ? 1 : 2;
  return this.evaluate(list[branch], at(loc, branch));
}

function equalValues(a: unknown, b: unknown): boolean {
  const sa = scalarString(a);
  const sb = scalarString(b);
  if (sa !== undefined && sb !== undefined) return sa === sb;
  return JSON.stringify(a) === JSON.stringify(b);
}

function booleanList(this: Resolver, arg: unknown, loc: Loc, name: string, size: [number, number]): boolean[] | undefined {
  const list = this.listArg(arg, loc, name, size);
  return list?.map((c, i) => this.conditionValue(c, at(loc, i)));
}

/** IPv4 `Fn::Cidr`: `count` consecutive blocks of 2^cidrBits addresses from the start of `ipBlock`. */
function cidr(this: Resolver, arg: unknown, loc: Loc): unknown {
  const list = this.listArg(arg, loc, 'Fn::Cidr', [3, 3]);
  if (!list) return undefined;
  const block = this.stringArg(list[0], at(loc, 0), 'Fn::Cidr ipBlock');
  const count = Number(this.stringArg(list[1], at(loc, 1), 'Fn::Cidr count'));
  const bits = Number(this.stringArg(list[2], at(loc, 2), 'Fn::Cidr cidrBits'));
  const match = block && /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(block);
  if (!match || !Number.isInteger(count) || !Number.isInteger(bits) || bits < 0 || bits > 32 - Number(match[5])) {
    return block === undefined ? undefined : this.fail(loc, 'Fn::Cidr expects [IPv4 CIDR block, count, cidrBits] with cidrBits within the block');
  }
  const prefix = Number(match[5]);
  const base = ((Number(match[1]) << 24) | (Number(match[2]) << 16) | (Number(match[3]) << 8) | Number(match[4])) >>> 0;
  const network = prefix === 0 ? 0 : (base & (~0 << (32 - prefix))) >>> 0;
  const size = 2 ** bits;
  if (count * size > 2 ** (32 - prefix)) return this.fail(loc, 'Fn::Cidr: the block is too small for that many subnets');
  return Array.from({ length: count }, (_, i) => {
    const n = network + i * size;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${32 - bits}`;
  });
}

const FUNCTIONS: Record<string, Fn> = {
  Ref(arg, loc) {
    if (typeof arg !== 'string') return this.fail(loc, `Ref expects a name, found ${describe(arg)}`);
    return refValue.call(this, arg, loc);
  },
  'Fn::GetAtt': getAtt,
  'Fn::Sub': sub,
  'Fn::Join'(arg, loc) {
    const list = this.listArg(arg, loc, 'Fn::Join', [2, 2]);
    if (!list) return undefined;
    const delimiter = this.stringArg(list[0], at(loc, 0), 'Fn::Join delimiter');
    const items = this.list(list[1], at(loc, 1), 'Fn::Join');
    if (delimiter === undefined || items === undefined) return undefined;
    const strings = items.map(scalarString);
    if (strings.some((s) => s === undefined)) return this.fail(at(loc, 1), 'Fn::Join can only join strings');
    return strings.join(delimiter);
  },
  'Fn::Select'(arg, loc) {
    const list = this.listArg(arg, loc, 'Fn::Select', [2, 2]);
    if (!list) return undefined;
    const index = Number(this.stringArg(list[0], at(loc, 0), 'Fn::Select index'));
    const items = this.list(list[1], at(loc, 1), 'Fn::Select');
    if (items === undefined) return undefined;
    if (!Number.isInteger(index) || index < 0 || index >= items.length) return this.fail(at(loc, 0), `Fn::Select index ${list[0]} is out of range (${items.length} items)`);
    return items[index];
  },
  'Fn::Split'(arg, loc) {
    const list = this.listArg(arg, loc, 'Fn::Split', [2, 2]);
    if (!list) return undefined;
    const delimiter = this.stringArg(list[0], at(loc, 0), 'Fn::Split delimiter');
    const source = this.stringArg(list[1], at(loc, 1), 'Fn::Split source');
    return delimiter === undefined || source === undefined ? undefined : source.split(delimiter);
  },
  'Fn::If': conditionalBranch,
  'Fn::Equals'(arg, loc) {
    const list = this.listArg(arg, loc, 'Fn::Equals', [2, 2]);
    return list && equalValues(this.resolve(list[0], at(loc, 0)), this.resolve(list[1], at(loc, 1)));
  },
  'Fn::Not'(arg, loc) {
    const values = booleanList.call(this, arg, loc, 'Fn::Not', [1, 1]);
    return values && !values[0];
  },
  'Fn::And'(arg, loc) {
    return booleanList.call(this, arg, loc, 'Fn::And', [2, 10])?.every(Boolean);
  },
  'Fn::Or'(arg, loc) {
    return booleanList.call(this, arg, loc, 'Fn::Or', [2, 10])?.some(Boolean);
  },
  'Fn::FindInMap'(arg, loc) {
    const list = this.listArg(arg, loc, 'Fn::FindInMap', [3, 4]);
    if (!list) return undefined;
    const keys = list.slice(0, 3).map((k, i) => this.stringArg(k, at(loc, i), 'Fn::FindInMap key'));
    if (keys.some((k) => k === undefined)) return undefined;
    const [map, top, second] = keys as string[];
    const table = this.template.mappings[map!];
    const row = isRecord(table) ? table[top!] : undefined;
    const value = isRecord(row) ? row[second!] : undefined;
    if (value !== undefined) return this.resolve(value, at(this.template.root, 'Mappings', map!, top!, second!));
    // AWS::LanguageExtensions adds a default: `[Map, Key, Key, { DefaultValue: x }]`.
    const options = list[3];
    if (isRecord(options) && 'DefaultValue' in options) return this.resolve(options['DefaultValue'], at(loc, 3, 'DefaultValue'));
    if (!isRecord(table)) return this.fail(at(loc, 0), `mapping ${JSON.stringify(map)} is not defined`);
    return this.fail(loc, `mapping ${map} has no value for [${JSON.stringify(top)}][${JSON.stringify(second)}]`);
  },
  'Fn::Base64'(arg, loc) {
    const value = this.stringArg(arg, loc, 'Fn::Base64 value');
    return value === undefined ? undefined : Buffer.from(value, 'utf8').toString('base64');
  },
  'Fn::GetAZs'(arg, loc) {
    const region = this.stringArg(arg ?? '', loc, 'Fn::GetAZs region');
    if (region === undefined) return undefined;
    const r = region === '' ? this.env.region : region;
    return [`${r}a`, `${r}b`, `${r}c`];
  },
  // There are no other stacks here: the imported value is its export name, so the template still loads.
  'Fn::ImportValue'(arg, loc) {
    return this.stringArg(arg, loc, 'Fn::ImportValue name');
  },
  'Fn::Cidr': cidr,
  'Fn::Length'(arg, loc) {
    const value = this.resolve(arg, loc);
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.length : this.fail(loc, `Fn::Length expects a list, found ${describe(value)}`);
  },
  'Fn::ToJsonString'(arg, loc) {
    const value = this.resolve(arg, loc);
    return value === undefined ? undefined : JSON.stringify(value);
  },
};
