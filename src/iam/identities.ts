/**
 * Who signs requests, and what their identity-based policies allow: IAM users of the template with
 * their access keys (`AWS::IAM::User` + `AWS::IAM::AccessKey`), and credentials from a gatehouse IAM
 * config mapped to a template user or role (the role's session, as after sts:AssumeRole). Each
 * identity carries its compiled policies — inline `Policies`, `ManagedPolicyArns` (template
 * `AWS::IAM::ManagedPolicy` or a known AWS managed policy), its groups' policies, and `AWS::IAM::Policy`
 * / `ManagedPolicy` attached through `Users`/`Groups`/`Roles` — and the context keys policy
 * variables read (aws:username, aws:userid, aws:PrincipalTag/*, cognito-identity.amazonaws.com:sub ...).
 * AWS docs: IAM User Guide "Policy evaluation logic", "AWS global condition context keys",
 * "IAM identifiers" (unique ids, assumed-role ARNs), CloudFormation "AWS::IAM::User", "Role", "Group",
 * "Policy", "ManagedPolicy", "AccessKey".
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Project, TemplateResource } from '../definitions/model.js';
import { compilePolicy, PolicyError, type Policy } from '../apigw/auth/policy.js';
import { DefinitionError, at, type Loc } from '../definitions/errors.js';
import { AWS_MANAGED_POLICIES } from './managed-policies.js';

export interface IamIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** `arn:aws:iam::{account}:user/{name}` or `arn:aws:sts::{account}:assumed-role/{role}/{session}`. */
  userArn: string;
  /** `aws:userid`: the user id (`AIDA...`), or `AROA...:{session}` for a role session. */
  userId: string;
  /** Policies by name (for explanations), identity-based only. */
  policies: readonly NamedPolicy[];
  /** Condition keys this identity brings to every request (lower-case names). */
  context: Readonly<Record<string, string>>;
}

export interface NamedPolicy {
  name: string;
  policy: Policy;
}

/** One entry of the `credentials` list of a gatehouse IAM config. */
export interface CredentialConfig {
  accessKeyId: string;
  secretAccessKey: string;
  /** A template `AWS::IAM::User` (logical id or name) ... */
  user?: string;
  /** ... or a template `AWS::IAM::Role` (logical id or name), used as a role session. */
  role?: string;
  sessionName?: string;
  /** Extra context keys, e.g. `cognito-identity.amazonaws.com:sub` for a web-identity session. */
  context?: Record<string, string>;
}

/** The credentials of a gatehouse IAM config file (`--iam-config`). */
export interface IamConfig {
  file: string;
  credentials: CredentialConfig[];
}

const problem = (loc: Loc, message: string) => new DefinitionError([{ ...loc, message }]);

/** A stable IAM-shaped unique id (`AIDA`/`AROA` + 17 characters) for an ARN. */
export function iamUniqueId(prefix: 'AIDA' | 'AROA', arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[digest[i]! % 32];
  return out;
}

export class IamIdentities {
  readonly #byKey = new Map<string, IamIdentity>();
  readonly #roleSessions = new Map<string, IamIdentity>();
  /** Managed policies gatehouse does not know: attached, but not evaluated (logged at start). */
  readonly warnings: string[] = [];

  constructor(readonly enforce: boolean) {}

  add(identity: IamIdentity): void {
    this.#byKey.set(identity.accessKeyId, identity);
  }

  get(accessKeyId: string): IamIdentity | undefined {
    return this.#byKey.get(accessKeyId);
  }

  /** The session API Gateway opens with an integration's `credentials` role (keys only gatehouse holds). */
  roleSession(roleArn: string): IamIdentity | undefined {
    return this.#roleSessions.get(roleArn);
  }

  addRoleSession(roleArn: string, identity: IamIdentity): void {
    this.#roleSessions.set(roleArn, identity);
    this.add(identity);
  }

  /**
   * Registers temporary credentials as another session of a template role (Cognito identity pool
   * credentials): same policies, its own session name and context keys. Null when the role is not
   * the template's or policies are not enforced (the keys then stay unmapped).
   */
  openSession(roleArn: string, session: string, key: { accessKeyId: string; secretAccessKey: string }, context: Record<string, string>): IamIdentity | null {
    const base = this.#roleSessions.get(roleArn);
    if (base === undefined) return null;
    const roleId = base.userId.slice(0, base.userId.indexOf(':'));
    const userId = `${roleId}:${session}`;
    const identity: IamIdentity = {
      ...key,
      accountId: base.accountId,
      userArn: base.userArn.replace(/[^/]+$/, session),
      userId,
      policies: base.policies,
      context: { ...base.context, 'aws:userid': userId, 'aws:rolesessionname': session, ...lowerKeys(context) },
    };
    this.add(identity);
    return identity;
  }

  get size(): number {
    return this.#byKey.size;
  }

  all(): IterableIterator<IamIdentity> {
    return this.#byKey.values();
  }
}

type Principal = { kind: 'user' | 'role' | 'group'; resource: TemplateResource };

/**
 * Builds the identities of the template and of the config credentials. Policies are compiled only
 * when they are enforced; a broken one then fails the start with its file and JSON pointer.
 */
export function loadIdentities(project: Project, config: IamConfig | null, enforce: boolean): IamIdentities {
  const identities = new IamIdentities(enforce);
  const index = new PolicyIndex(project, identities.warnings);
  const policies = { of: (principal: Principal) => (enforce ? index.of(principal) : []) };
  const users = project.resources.filter((r) => r.type === 'AWS::IAM::User');
  const roles = project.resources.filter((r) => r.type === 'AWS::IAM::Role');
  const find = (list: TemplateResource[], name: string) => list.find((r) => r.logicalId === name || r.physicalId === name);

  const userIdentity = (user: TemplateResource | undefined, userName: string, key: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, string> = {}): IamIdentity => {
    const arn = typeof user?.attributes['Arn'] === 'string' ? user.attributes['Arn'] : `arn:aws:iam::${project.accountId}:user/${userName}`;
    const userId = iamUniqueId('AIDA', arn);
    return {
      ...key,
      accountId: project.accountId,
      userArn: arn,
      userId,
      policies: user === undefined ? [] : policies.of({ kind: 'user', resource: user }),
      context: { 'aws:username': userName, 'aws:userid': userId, 'aws:principaltype': 'User', ...tagContext(user), ...lowerKeys(extra) },
    };
  };

  for (const r of project.resources) {
    if (r.type !== 'AWS::IAM::AccessKey') continue;
    const secret = r.attributes['SecretAccessKey'];
    if (typeof secret !== 'string') continue;
    const userName = typeof r.properties['UserName'] === 'string' ? r.properties['UserName'] : r.logicalId;
    identities.add(userIdentity(find(users, userName), userName, { accessKeyId: r.physicalId, secretAccessKey: secret }));
  }

  // API Gateway assumes an integration's role as `BackplaneAssumeRoleSession` (the session name in
  // recorded SQS SenderIds `AROA...:BackplaneAssumeRoleSession` and STS assumed-role ARNs of integrations).
  if (enforce) {
    for (const role of roles) {
      const session = roleSession(project, role, 'BackplaneAssumeRoleSession', { accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') }, policies.of({ kind: 'role', resource: role }), {});
      identities.addRoleSession(String(role.attributes['Arn']), session);
    }
  }

  for (const [i, c] of (config?.credentials ?? []).entries()) {
    const where = { file: config!.file, pointer: `/credentials/${i}` };
    const key = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    if (c.role !== undefined) {
      const role = find(roles, c.role);
      if (role === undefined) throw problem(at(where, 'role'), `no AWS::IAM::Role ${c.role} in the template`);
      identities.add(roleSession(project, role, c.sessionName ?? c.accessKeyId, key, policies.of({ kind: 'role', resource: role }), c.context ?? {}));
    } else if (c.user !== undefined) {
      const user = find(users, c.user);
      if (user === undefined) throw problem(at(where, 'user'), `no AWS::IAM::User ${c.user} in the template`);
      identities.add(userIdentity(user, user.physicalId, key, c.context));
    } else {
      throw problem(where, 'name the template "user" or "role" these credentials act as');
    }
  }
  return identities;
}

/** A session of a template role: `arn:aws:sts::{account}:assumed-role/{role}/{session}`, user id `{RoleId}:{session}`. */
function roleSession(
  project: Project,
  role: TemplateResource,
  session: string,
  key: { accessKeyId: string; secretAccessKey: string },
  policies: NamedPolicy[],
  context: Record<string, string>,
): IamIdentity {
  const roleId = String(role.attributes['RoleId'] ?? iamUniqueId('AROA', role.physicalId));
  const userId = `${roleId}:${session}`;
  return {
    ...key,
    accountId: project.accountId,
    userArn: `arn:aws:sts::${project.accountId}:assumed-role/${role.physicalId}/${session}`,
    userId,
    policies,
    context: { 'aws:userid': userId, 'aws:principaltype': 'AssumedRole', 'aws:rolesessionname': session, ...tagContext(role), ...lowerKeys(context) },
  };
}

function lowerKeys(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** `Tags` of a user or role as `aws:principaltag/{key}` context keys. */
function tagContext(resource: TemplateResource | undefined): Record<string, string> {
  const tags = resource?.properties['Tags'];
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries((tags as { Key?: unknown; Value?: unknown }[]).filter((t) => typeof t?.Key === 'string').map((t) => [`aws:principaltag/${String(t.Key).toLowerCase()}`, String(t.Value ?? '')]));
}

/** Every policy of the template, compiled once, found by who it is attached to. */
class PolicyIndex {
  readonly #project: Project;
  readonly #warnings: string[];
  readonly #compiled = new Map<unknown, Policy>();

  constructor(project: Project, warnings: string[]) {
    this.#project = project;
    this.#warnings = warnings;
  }

  of(principal: Principal): NamedPolicy[] {
    const { resource, kind } = principal;
    const out: NamedPolicy[] = [];
    const props = resource.properties;
    const loc = at(resource.source, 'Properties');
    const inline = Array.isArray(props['Policies']) ? (props['Policies'] as { PolicyName?: unknown; PolicyDocument?: unknown }[]) : [];
    for (const [i, p] of inline.entries()) out.push({ name: String(p.PolicyName ?? `Policies[${i}]`), policy: this.#compile(p.PolicyDocument, at(loc, 'Policies', i, 'PolicyDocument')) });
    const managed = Array.isArray(props['ManagedPolicyArns']) ? (props['ManagedPolicyArns'] as unknown[]).map(String) : [];
    for (const arn of managed) out.push(...this.#managed(arn, resource.logicalId));
    if (kind === 'user') {
      const groups = Array.isArray(props['Groups']) ? (props['Groups'] as unknown[]).map(String) : [];
      for (const name of groups) {
        const group = this.#project.resources.find((r) => r.type === 'AWS::IAM::Group' && (r.physicalId === name || r.logicalId === name));
        if (group !== undefined) out.push(...this.of({ kind: 'group', resource: group }));
      }
    }
    // Policies that name this principal in Users / Groups / Roles.
    const listKey = kind === 'user' ? 'Users' : kind === 'group' ? 'Groups' : 'Roles';
    for (const r of this.#project.resources) {
      if (r.type !== 'AWS::IAM::Policy' && r.type !== 'AWS::IAM::ManagedPolicy') continue;
      const names = Array.isArray(r.properties[listKey]) ? (r.properties[listKey] as unknown[]).map(String) : [];
      if (!names.includes(resource.physicalId) && !names.includes(resource.logicalId)) continue;
      out.push({ name: String(r.properties['PolicyName'] ?? r.properties['ManagedPolicyName'] ?? r.logicalId), policy: this.#compile(r.properties['PolicyDocument'], at(r.source, 'Properties', 'PolicyDocument')) });
    }
    return out;
  }

  #managed(arn: string, owner: string): NamedPolicy[] {
    const local = this.#project.resources.find((r) => r.type === 'AWS::IAM::ManagedPolicy' && r.physicalId === arn);
    if (local !== undefined) return [{ name: arn, policy: this.#compile(local.properties['PolicyDocument'], at(local.source, 'Properties', 'PolicyDocument')) }];
    const known = AWS_MANAGED_POLICIES[arn.replace(/^arn:aws[a-z-]*:iam::aws:policy\//, '')];
    if (known === undefined) {
      this.#warnings.push(`${owner}: managed policy ${arn} is not known to gatehouse and is not evaluated`);
      return [];
    }
    return [{ name: arn, policy: this.#compile(known, { file: arn, pointer: '' }) }];
  }

  #compile(document: unknown, loc: Loc): Policy {
    let policy = this.#compiled.get(document);
    if (policy === undefined) {
      try {
        policy = compilePolicy(document);
      } catch (error) {
        if (error instanceof PolicyError) throw problem(loc, error.message);
        throw error;
      }
      this.#compiled.set(document, policy);
    }
    return policy;
  }
}
