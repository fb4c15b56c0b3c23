/**
 * The template's secrets, made real before anything else starts: each `AWS::SecretsManager::Secret`
 * (`SecretString`, or `GenerateSecretString` generated once and kept), the master-user secret RDS keeps for
 * `ManageMasterUserPassword`, the connection details a `SecretTargetAttachment` adds, and finally every
 * `{{resolve:secretsmanager:...}}` dynamic reference in the loaded template replaced by its value.
 * AWS docs: CloudFormation "AWS::SecretsManager::Secret", "AWS::SecretsManager::SecretTargetAttachment",
 * "Using dynamic references to specify template values" (secretsmanager); Secrets Manager "JSON structure of
 * database credential secrets"; RDS "Password management with Amazon RDS and AWS Secrets Manager".
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Project, TemplateResource } from '../../definitions/model.js';
import { DefinitionError } from '../../definitions/errors.js';
import { DB_CLUSTER, DB_INSTANCE } from '../../definitions/cloudformation/rds.js';
import { generatePassword, passwordRules } from './passwords.js';
import { SecretsStore } from './store.js';

export const STORE_FILE = 'secrets.sqlite';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const truthy = (v: unknown): boolean => v === true || v === 'true';

/** `arn:...:secret:NAME-AbCdEf` -> `NAME`. */
const nameOfArn = (arn: string): string => arn.slice(arn.indexOf(':secret:') + ':secret:'.length, -7);

/** Creates and updates the template's secrets in `dir`, then resolves dynamic references in `project` (in place). */
export function prepareSecrets(project: Project, dir: string): Project {
  const problems: { pointer: string; message: string }[] = [];
  const store = new SecretsStore(path.join(dir, STORE_FILE));
  try {
    for (const r of project.resources) {
      if (r.type === 'AWS::SecretsManager::Secret') templateSecret(store, r, problems);
    }
    for (const r of project.resources) {
      if ((r.type === DB_CLUSTER || r.type === DB_INSTANCE) && truthy(r.properties['ManageMasterUserPassword'])) managedSecret(store, r);
    }
    for (const r of project.resources) {
      if (r.type === 'AWS::SecretsManager::SecretTargetAttachment') attach(store, project, r, problems);
    }
    resolveReferences(project, store, problems);
  } finally {
    store.close();
  }
  if (problems.length > 0) throw new DefinitionError(problems.map((p) => ({ file: project.file, ...p })));
  return project;
}

function templateSecret(store: SecretsStore, r: TemplateResource, problems: { pointer: string; message: string }[]): void {
  const p = r.properties;
  const given = typeof p['SecretString'] === 'string' ? p['SecretString'] : undefined;
  const existing = store.find(r.physicalId);
  if (existing !== undefined) {
    // A template edit of SecretString is an update of the secret; a generated value is kept.
    if (given !== undefined && store.version(existing.arn)?.secretString !== given) store.putVersion(existing.arn, { secretString: given, secretBinary: null });
    return;
  }
  let value = given;
  if (value === undefined && isObject(p['GenerateSecretString'])) value = generated(p['GenerateSecretString'], r, problems);
  const now = Date.now();
  const tags = Array.isArray(p['Tags']) ? (p['Tags'] as { Key: string; Value: string }[]) : [];
  store.create(
    { arn: r.physicalId, name: nameOfArn(r.physicalId), description: typeof p['Description'] === 'string' ? p['Description'] : null, kmsKeyId: null, tags, createdAt: now, changedAt: now },
    value === undefined ? undefined : { versionId: randomUUID(), secretString: value, secretBinary: null },
  );
}

/** `GenerateSecretString`: a password alone, or `SecretStringTemplate` (a JSON object) with the password under `GenerateStringKey`. */
function generated(spec: Record<string, unknown>, r: TemplateResource, problems: { pointer: string; message: string }[]): string | undefined {
  const pointer = `${r.source.pointer}/Properties/GenerateSecretString`;
  const template = spec['SecretStringTemplate'];
  const key = spec['GenerateStringKey'];
  if ((template === undefined) !== (key === undefined)) {
    problems.push({ pointer, message: 'SecretStringTemplate and GenerateStringKey must be given together' });
    return undefined;
  }
  let password: string;
  try {
    password = generatePassword(passwordRules(spec));
  } catch (error) {
    problems.push({ pointer, message: (error as Error).message });
    return undefined;
  }
  if (template === undefined) return password;
  let object: unknown;
  try {
    object = JSON.parse(String(template));
  } catch {
    object = undefined;
  }
  if (!isObject(object)) {
    problems.push({ pointer: `${pointer}/SecretStringTemplate`, message: 'SecretStringTemplate must be a JSON object' });
    return undefined;
  }
  return JSON.stringify({ ...object, [String(key)]: password });
}

/** RDS-managed master credentials: `{"username", "password"}` in the `rds!...` secret; the server uses that password. */
function managedSecret(store: SecretsStore, r: TemplateResource): void {
  const arn = String(r.attributes['MasterUserSecret.SecretArn']);
  if (store.find(arn) === undefined) {
    const now = Date.now();
    const secret = JSON.stringify({ username: r.properties['MasterUsername'], password: generatePassword({ PasswordLength: 20, ExcludeCharacters: '/@" ' }) });
    store.create({ arn, name: nameOfArn(arn), description: `Secret associated with primary RDS DB ${r.physicalId}.`, kmsKeyId: null, tags: [], createdAt: now, changedAt: now }, { versionId: randomUUID(), secretString: secret, secretBinary: null });
  }
  const current = JSON.parse(store.version(arn)?.secretString ?? '{}') as { password?: string };
  r.properties['MasterUserPassword'] = current.password;
}

/** Adds engine, host, port, dbname and the DB identifier to the secret's JSON (a new version only when they change). */
function attach(store: SecretsStore, project: Project, r: TemplateResource, problems: { pointer: string; message: string }[]): void {
  const p = r.properties;
  const secret = store.find(String(p['SecretId']));
  const target = project.resources.find((d) => (d.type === DB_CLUSTER || d.type === DB_INSTANCE) && d.physicalId === p['TargetId']);
  if (secret === undefined || target === undefined) {
    problems.push({ pointer: `${r.source.pointer}/Properties`, message: `${r.logicalId}: ${secret === undefined ? `SecretId ${String(p['SecretId'])} is not a secret` : `TargetId ${String(p['TargetId'])} is not a DB cluster or instance`} of this template` });
    return;
  }
  const current = store.version(secret.arn)?.secretString ?? '{}';
  let object: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(current);
    object = isObject(parsed) ? parsed : {};
  } catch {
    object = {};
  }
  const dbname = target.properties['DatabaseName'] ?? target.properties['DBName'];
  const next = {
    ...object,
    engine: 'postgres',
    host: target.attributes['Endpoint.Address'],
    port: Number(target.attributes['Endpoint.Port']),
    ...(dbname !== undefined && { dbname }),
    ...(target.type === DB_CLUSTER ? { dbClusterIdentifier: target.physicalId } : { dbInstanceIdentifier: target.physicalId }),
  };
  if (JSON.stringify(next) !== JSON.stringify(object)) store.putVersion(secret.arn, { secretString: JSON.stringify(next), secretBinary: null });
}

const REFERENCE = /\{\{resolve:secretsmanager:([^}]*)\}\}/g;

/** Replaces `{{resolve:secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]}}` in every string. */
function resolveReferences(project: Project, store: SecretsStore, problems: { pointer: string; message: string }[]): void {
  const seen = new Set<object>();
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return node.includes('{{resolve:secretsmanager:') ? node.replace(REFERENCE, (whole, body: string) => resolveOne(store, whole, body, problems)) : node;
    if (node === null || typeof node !== 'object' || seen.has(node)) return node;
    seen.add(node);
    if (Array.isArray(node)) node.forEach((item, i) => (node[i] = visit(item)));
    else if (Object.getPrototypeOf(node) === Object.prototype) for (const [key, value] of Object.entries(node)) (node as Record<string, unknown>)[key] = visit(value);
    return node;
  };
  visit(project);
}

function resolveOne(store: SecretsStore, whole: string, body: string, problems: { pointer: string; message: string }[]): string {
  const parts = body.split(':');
  // An ARN secret id has 7 colon-separated parts itself.
  const idParts = parts[0] === 'arn' ? 7 : 1;
  const id = parts.slice(0, idParts).join(':');
  const [section = 'SecretString', jsonKey = '', stage = '', versionId = ''] = parts.slice(idParts);
  const fail = (message: string) => (problems.push({ pointer: '', message: `dynamic reference ${whole}: ${message}` }), whole);
  if (section !== 'SecretString') return fail('only SecretString can be referenced');
  const secret = store.find(id);
  if (secret === undefined) return fail(`secret ${id} does not exist`);
  const version = store.version(secret.arn, versionId === '' ? undefined : versionId, stage === '' ? undefined : stage);
  if (version?.secretString == null) return fail('the secret has no such string value');
  if (jsonKey === '') return version.secretString;
  try {
    const value = (JSON.parse(version.secretString) as Record<string, unknown>)[jsonKey];
    if (value === undefined) return fail(`the secret has no key ${jsonKey}`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return fail('the secret value is not JSON');
  }
}
