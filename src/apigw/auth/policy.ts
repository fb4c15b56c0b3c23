/**
 * IAM-style policy documents, compiled once and evaluated per request: Allow/Deny with explicit
 * deny winning, Action/NotAction, Resource/NotResource and Principal/NotPrincipal with `*`/`?`
 * wildcards, and the Condition operators API Gateway policies use.
 * AWS docs: "Policy evaluation logic" (reference_policies_evaluation-logic.html) and "IAM JSON
 * policy elements: Condition operators" (reference_policies_elements_condition_operators.html).
 */
import { BlockList, isIP } from 'node:net';

/** The outcome of one policy: an explicit Allow, an explicit Deny, or neither (implicit deny). */
export type PolicyDecision = 'Allow' | 'Deny' | 'None';

/** Who is calling: null is an anonymous caller (no IAM authentication). */
export interface PolicyPrincipal {
  /** `arn:aws:iam::123456789012:user/alice`, an assumed-role ARN, or `arn:aws:iam::123456789012:root`. */
  arn: string;
  accountId: string;
}

/** Condition keys by lower-case name (`aws:sourceip`): IAM matches key names case-insensitively. */
export type ConditionValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface PolicyRequest {
  action: string;
  resource: string;
  principal?: PolicyPrincipal | null;
  conditions?: ConditionValues;
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export interface CompileOptions {
  /** Rewrites a Resource as written (API Gateway resource policies accept `execute-api:/stage/GET/path`). */
  resource?: (resource: string) => string;
}

type Test = (request: PolicyRequest) => boolean;

interface CompiledStatement {
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  matches: Test;
}

const ALWAYS: Test = () => true;

/** A compiled policy document. */
export class Policy {
  readonly #statements: readonly CompiledStatement[];

  constructor(statements: readonly CompiledStatement[]) {
    this.#statements = statements;
  }

  get size(): number {
    return this.#statements.length;
  }

  /** Explicit Deny wins over any Allow; no matching statement is 'None'. */
  evaluate(request: PolicyRequest): PolicyDecision {
    let allowed = false;
    for (const statement of this.#statements) {
      if (!statement.matches(request)) continue;
      if (statement.effect === 'Deny') return 'Deny';
      allowed = true;
    }
    return allowed ? 'Allow' : 'None';
  }

  /** Like evaluate, naming the statement that decided (for logs). */
  explain(request: PolicyRequest): { decision: PolicyDecision; statement: string | null } {
    let allow: string | null = null;
    for (const [i, statement] of this.#statements.entries()) {
      if (!statement.matches(request)) continue;
      const name = statement.sid ?? `Statement[${i}]`;
      if (statement.effect === 'Deny') return { decision: 'Deny', statement: name };
      allow ??= name;
    }
    return { decision: allow === null ? 'None' : 'Allow', statement: allow };
  }
}

/** Compiles a policy document (object or JSON text); throws PolicyError on what IAM would reject. */
export function compilePolicy(document: unknown, options: CompileOptions = {}): Policy {
  const doc = typeof document === 'string' ? parseJson(document) : document;
  if (!isRecord(doc)) throw new PolicyError('a policy document must be a JSON object');
  const raw = doc['Statement'];
  if (raw === undefined) throw new PolicyError('a policy document needs a Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  return new Policy(list.map((s, i) => compileStatement(s, i, options)));
}

function compileStatement(value: unknown, index: number, options: CompileOptions): CompiledStatement {
  const where = `Statement[${index}]`;
  if (!isRecord(value)) throw new PolicyError(`${where} must be an object`);
  const effect = value['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyError(`${where}.Effect must be Allow or Deny`);
  const tests: Test[] = [];

  const action = onlyOne(value, 'Action', 'NotAction', where);
  if (action === undefined) throw new PolicyError(`${where} needs Action or NotAction`);
  // Action names are case-insensitive ("execute-api:invoke" grants execute-api:Invoke).
  const actionMatch = wildcardMatcher(strings(value[action], `${where}.${action}`), true);
  if (actionMatch !== null) tests.push(action === 'Action' ? (r) => actionMatch(r.action) : (r) => !actionMatch(r.action));
  else if (action === 'NotAction') tests.push(() => false);

  const resource = onlyOne(value, 'Resource', 'NotResource', where);
  if (resource !== undefined) {
    const patterns = strings(value[resource], `${where}.${resource}`).map((r) => (options.resource ? options.resource(r) : r));
    const negate = resource === 'NotResource';
    if (patterns.some(hasVariables)) {
      // Policy variables are filled from the request's context keys, so the matcher is built per request.
      tests.push((r) => {
        const match = wildcardMatcher(substituteAll(patterns, r.conditions), false);
        const hit = match === null || match(r.resource);
        return negate ? !hit : hit;
      });
    } else {
      const resourceMatch = wildcardMatcher(patterns, false);
      if (resourceMatch !== null) tests.push(negate ? (r) => !resourceMatch(r.resource) : (r) => resourceMatch(r.resource));
      else if (negate) tests.push(() => false);
    }
  }

  const principal = onlyOne(value, 'Principal', 'NotPrincipal', where);
  if (principal !== undefined) {
    const principalMatch = compilePrincipal(value[principal], `${where}.${principal}`);
    tests.push(principal === 'Principal' ? (r) => principalMatch(r.principal ?? null) : (r) => !principalMatch(r.principal ?? null));
  }

  if (value['Condition'] !== undefined) tests.push(compileConditions(value['Condition'], `${where}.Condition`));

  const sid = typeof value['Sid'] === 'string' ? value['Sid'] : undefined;
  const matches: Test = tests.length === 0 ? ALWAYS : tests.length === 1 ? tests[0]! : (r) => tests.every((t) => t(r));
  return { sid, effect, matches };
}

function onlyOne(statement: Record<string, unknown>, a: string, b: string, where: string): string | undefined {
  if (statement[a] !== undefined && statement[b] !== undefined) throw new PolicyError(`${where} cannot have both ${a} and ${b}`);
  return statement[a] !== undefined ? a : statement[b] !== undefined ? b : undefined;
}

/**
 * One matcher for a list of patterns with `*` (any run of characters, `/` and `:` included) and
 * `?` (one character). Null means "matches everything" (a bare `*`), so callers skip the test.
 */
export function wildcardMatcher(patterns: readonly string[], ignoreCase: boolean): ((value: string) => boolean) | null {
  if (patterns.includes('*')) return null;
  if (patterns.length === 0) return () => false;
  const exact = patterns.filter((p) => !p.includes('*') && !p.includes('?'));
  if (exact.length === patterns.length) {
    const set = new Set(ignoreCase ? exact.map((p) => p.toLowerCase()) : exact);
    return ignoreCase ? (v) => set.has(v.toLowerCase()) : (v) => set.has(v);
  }
  // Patterns with `*` only (the usual ARN patterns) match by literal segments, without a regex.
  if (!ignoreCase && patterns.every((p) => !p.includes('?'))) {
    const globs = patterns.map((p) => p.split('*'));
    const set = new Set(exact);
    return (v) => set.has(v) || globs.some((parts) => parts.length > 1 && globMatch(parts, v));
  }
  const source = patterns.map(wildcardSource).join('|');
  const regex = new RegExp(`^(?:${source})$`, ignoreCase ? 'is' : 's');
  return (v) => regex.test(v);
}

/** `parts` is a pattern split on `*`: the first is a prefix, the last a suffix, the others appear in order between. */
function globMatch(parts: readonly string[], value: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = value.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

function wildcardSource(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return out;
}

/**
 * `"*"` and `{"AWS": "*"}` are everyone (anonymous callers too); an account id or
 * `arn:aws:iam::ACCOUNT:root` is every principal of that account; other ARNs match exactly.
 * Service and federated principals never call API Gateway methods, so they match nobody here.
 * AWS docs: "AWS JSON policy elements: Principal".
 */
function compilePrincipal(value: unknown, where: string): (p: PolicyPrincipal | null) => boolean {
  if (value === '*') return () => true;
  if (!isRecord(value)) throw new PolicyError(`${where} must be "*" or an object such as {"AWS": [...]}`);
  const aws = value['AWS'] === undefined ? [] : strings(value['AWS'], `${where}.AWS`);
  if (aws.includes('*')) return () => true;
  const accounts = new Set<string>();
  const arns: string[] = [];
  for (const entry of aws) {
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(entry);
    if (/^\d{12}$/.test(entry)) accounts.add(entry);
    else if (root !== null) accounts.add(root[1]!);
    else arns.push(entry);
  }
  const arnMatch = wildcardMatcher(arns, false) ?? (() => true);
  return (p) => p !== null && (accounts.has(p.accountId) || arnMatch(p.arn));
}

// ---------------------------------------------------------------------------------------------
// Conditions

type ValueTest = (requestValue: string) => boolean;

interface Operator {
  /** Builds the positive test for the policy's values ("equals one of them"). */
  compile(values: string[], where: string): ValueTest;
  /** Negated operators (StringNotEquals, NotIpAddress, ...) match when the positive test fails. */
  negated: boolean;
}

const stringOp = (ignoreCase: boolean, negated: boolean): Operator => ({
  negated,
  compile(values) {
    const set = new Set(ignoreCase ? values.map((v) => v.toLowerCase()) : values);
    return ignoreCase ? (v) => set.has(v.toLowerCase()) : (v) => set.has(v);
  },
});

const likeOp = (negated: boolean): Operator => ({
  negated,
  compile: (values) => wildcardMatcher(values, false) ?? (() => true),
});

const compareOp = (parse: (v: string) => number, cmp: (a: number, b: number) => boolean, negated = false): Operator => ({
  negated,
  compile(values, where) {
    const limits = values.map((v) => {
      const n = parse(v);
      if (Number.isNaN(n)) throw new PolicyError(`${where}: ${JSON.stringify(v)} is not a valid value for this operator`);
      return n;
    });
    return (v) => {
      const n = parse(v);
      return !Number.isNaN(n) && limits.some((limit) => cmp(n, limit));
    };
  },
});

const parseNumber = (v: string): number => (v.trim() === '' ? NaN : Number(v));
/** Dates are ISO 8601 or epoch seconds (IAM accepts both). */
const parseDate = (v: string): number => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));

const ipOp = (negated: boolean): Operator => ({
  negated,
  compile(values, where) {
    const list = new BlockList();
    for (const value of values) {
      const [address, bits] = value.split('/');
      const family = isIP(address ?? '');
      if (family === 0) throw new PolicyError(`${where}: ${JSON.stringify(value)} is not an IP address or CIDR block`);
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new PolicyError(`${where}: bad prefix in ${value}`);
      list.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    return (v) => {
      const family = isIP(v);
      return family !== 0 && list.check(v, family === 4 ? 'ipv4' : 'ipv6');
    };
  },
});

const OPERATORS: Record<string, Operator> = {
  StringEquals: stringOp(false, false),
  StringNotEquals: stringOp(false, true),
  StringEqualsIgnoreCase: stringOp(true, false),
  StringNotEqualsIgnoreCase: stringOp(true, true),
  StringLike: likeOp(false),
  StringNotLike: likeOp(true),
  NumericEquals: compareOp(parseNumber, (a, b) => a === b),
  NumericNotEquals: compareOp(parseNumber, (a, b) => a === b, true),
  NumericLessThan: compareOp(parseNumber, (a, b) => a < b),
  NumericLessThanEquals: compareOp(parseNumber, (a, b) => a <= b),
  NumericGreaterThan: compareOp(parseNumber, (a, b) => a > b),
  NumericGreaterThanEquals: compareOp(parseNumber, (a, b) => a >= b),
  DateEquals: compareOp(parseDate, (a, b) => a === b),
  DateNotEquals: compareOp(parseDate, (a, b) => a === b, true),
  DateLessThan: compareOp(parseDate, (a, b) => a < b),
  DateLessThanEquals: compareOp(parseDate, (a, b) => a <= b),
  DateGreaterThan: compareOp(parseDate, (a, b) => a > b),
  DateGreaterThanEquals: compareOp(parseDate, (a, b) => a >= b),
  Bool: stringOp(true, false),
  BinaryEquals: stringOp(false, false),
  IpAddress: ipOp(false),
  NotIpAddress: ipOp(true),
  ArnEquals: likeOp(false),
  ArnLike: likeOp(false),
  ArnNotEquals: likeOp(true),
  ArnNotLike: likeOp(true),
};

function compileConditions(value: unknown, where: string): Test {
  if (!isRecord(value)) throw new PolicyError(`${where} must be an object`);
  const tests: Test[] = [];
  for (const [name, block] of Object.entries(value)) {
    if (!isRecord(block)) throw new PolicyError(`${where}.${name} must be an object of condition keys`);
    for (const [key, values] of Object.entries(block)) tests.push(compileCondition(name, key.toLowerCase(), strings(values, `${where}.${name}.${key}`), `${where}.${name}`));
  }
  // Every operator block and every key inside it must hold (AND); values of one key are ORed.
  return tests.length === 1 ? tests[0]! : (r) => tests.every((t) => t(r));
}

function compileCondition(name: string, key: string, values: string[], where: string): Test {
  let op = name;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | null = null;
  const colon = op.indexOf(':');
  if (colon !== -1) {
    const prefix = op.slice(0, colon);
    if (prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') throw new PolicyError(`${where}: unknown set operator ${prefix}`);
    qualifier = prefix;
    op = op.slice(colon + 1);
  }
  if (op === 'Null') {
    // Null: {"key": "true"} holds when the key is absent from the request.
    const wantAbsent = values.some((v) => v.toLowerCase() === 'true');
    return (r) => {
      const v = r.conditions?.[key];
      const absent = v === undefined || (Array.isArray(v) && v.length === 0);
      return absent === wantAbsent;
    };
  }
  const ifExists = op.endsWith('IfExists');
  if (ifExists) op = op.slice(0, -'IfExists'.length);
  const operator = OPERATORS[op];
  if (operator === undefined) throw new PolicyError(`${where}: unknown condition operator ${name}`);
  const fixed = values.some(hasVariables) ? null : operator.compile(values, where);
  // Values with policy variables are compiled per request; a value that does not fit the operator then matches nothing.
  const fixedSingle: ValueTest | null = fixed === null ? null : operator.negated ? (v) => !fixed(v) : fixed;
  const positiveFor = (r: PolicyRequest): ValueTest => {
    if (fixed !== null) return fixed;
    const filled = substituteAll(values, r.conditions);
    try {
      return filled.length === 0 ? () => false : operator.compile(filled, where);
    } catch {
      return () => false;
    }
  };

  return (r) => {
    const positive = positiveFor(r);
    const single: ValueTest = fixedSingle ?? (operator.negated ? (v) => !positive(v) : positive);
    const raw = r.conditions?.[key];
    const list: readonly string[] | undefined = raw === undefined ? undefined : typeof raw === 'string' ? [raw] : raw;
    if (qualifier === 'ForAllValues') return list === undefined || list.every(single);
    if (qualifier === 'ForAnyValue') return list !== undefined && list.some(single);
    // A missing key fails every operator, except the negated ones and ...IfExists (IAM docs).
    if (list === undefined || list.length === 0) return ifExists || operator.negated;
    return operator.negated ? !list.some(positive) : list.some(positive);
  };
}

// ---------------------------------------------------------------------------------------------
// Policy variables

const VARIABLE = /\$\{([^}]*)\}/g;
const hasVariables = (text: string): boolean => text.includes('${');

/**
 * `${aws:username}`, `${aws:PrincipalTag/team}`, `${cognito-identity.amazonaws.com:sub}` ... replaced by
 * the request's context key of that name (case-insensitive), or by the default in
 * `${key, 'default'}`; `${$}` is a literal `$`. Null when a key is missing without a default: the
 * value then matches nothing. (`${*}` and `${?}` are not escaped: they act as wildcards here.)
 * AWS docs: "IAM policy elements: Variables and tags" (reference_policies_variables.html).
 */
export function substituteVariables(text: string, conditions: ConditionValues | undefined): string | null {
  let missing = false;
  const out = text.replace(VARIABLE, (_, inner: string) => {
    const comma = inner.indexOf(',');
    const key = (comma === -1 ? inner : inner.slice(0, comma)).trim();
    if (key === '$' || key === '*' || key === '?') return key;
    const value = conditions?.[key.toLowerCase()];
    const single = typeof value === 'string' ? value : undefined;
    if (single !== undefined) return single;
    const fallback = comma === -1 ? undefined : /^\s*'([^']*)'\s*$/.exec(inner.slice(comma + 1))?.[1];
    if (fallback !== undefined) return fallback;
    missing = true;
    return '';
  });
  return missing ? null : out;
}

function substituteAll(values: readonly string[], conditions: ConditionValues | undefined): string[] {
  const out: string[] = [];
  for (const value of values) {
    const filled = substituteVariables(value, conditions);
    if (filled !== null) out.push(filled);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function strings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyError(`${where} must be a string or a list of strings`);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PolicyError('the policy document is not valid JSON');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
