/**
 * Bucket policies for anonymous requests: explicit Deny wins, then any Allow, else denied.
 * Statements with a Condition or NotPrincipal are not evaluated (they never grant, never deny).
 * AWS docs: IAM User Guide "Policy evaluation logic" (reference_policies_evaluation-logic.html),
 * Amazon S3 User Guide "Bucket policy examples" (example-bucket-policies.html) and "Policy
 * actions for Amazon S3" (using-with-s3-policy-actions.html).
 */
import { s3Error } from '../errors.js';

interface Statement {
  effect: 'Allow' | 'Deny';
  actions: RegExp[];
  notActions: RegExp[];
  resources: RegExp[];
  notResources: RegExp[];
}

const compiled = new Map<string, Statement[]>();
const CACHE_SIZE = 256;

/** Checks a policy document the way PutBucketPolicy does (MalformedPolicy). */
export function validatePolicy(text: string): void {
  if (!text.trimStart().startsWith('{')) throw s3Error('MalformedPolicy');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw s3Error('MalformedPolicy');
  }
  const statements = (document as { Statement?: unknown }).Statement;
  if (statements === undefined || statements === null) throw s3Error('MalformedPolicy', {}, 'Missing required field Statement');
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const effect = (statement as { Effect?: unknown }).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw s3Error('MalformedPolicy', {}, 'Invalid effect: ' + String(effect));
  }
}

/** True when the policy grants `action` on `resource` to everyone ("Principal": "*"). */
export function allowsAnonymous(policy: string | null, action: string, resource: string): boolean {
  if (policy === null) return false;
  let allowed = false;
  for (const statement of statementsOf(policy)) {
    if (!applies(statement, action, resource)) continue;
    if (statement.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

function applies(statement: Statement, action: string, resource: string): boolean {
  if (statement.actions.length > 0 && !statement.actions.some((re) => re.test(action))) return false;
  if (statement.notActions.some((re) => re.test(action))) return false;
  if (statement.actions.length === 0 && statement.notActions.length === 0) return false;
  if (statement.resources.length > 0 && !statement.resources.some((re) => re.test(resource))) return false;
  if (statement.notResources.some((re) => re.test(resource))) return false;
  return statement.resources.length > 0 || statement.notResources.length > 0;
}

function statementsOf(policy: string): Statement[] {
  let statements = compiled.get(policy);
  if (statements === undefined) {
    statements = compile(policy);
    if (compiled.size >= CACHE_SIZE) compiled.clear();
    compiled.set(policy, statements);
  }
  return statements;
}

function compile(policy: string): Statement[] {
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return [];
  }
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const out: Statement[] = [];
  for (const item of raw) {
    if (item === null || typeof item !== 'object') continue;
    const s = item as Record<string, unknown>;
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') continue;
    if (s['Condition'] !== undefined || s['NotPrincipal'] !== undefined) continue;
    if (!isEveryone(s['Principal'])) continue;
    out.push({
      effect: s['Effect'],
      actions: list(s['Action']).map((p) => wildcard(p, true)),
      notActions: list(s['NotAction']).map((p) => wildcard(p, true)),
      resources: list(s['Resource']).map((p) => wildcard(p, false)),
      notResources: list(s['NotResource']).map((p) => wildcard(p, false)),
    });
  }
  return out;
}

/** `"*"`, `{"AWS": "*"}` or `{"AWS": ["*"]}`: the anonymous principal. */
function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal !== null && typeof principal === 'object') {
    const aws = (principal as Record<string, unknown>)['AWS'];
    return list(aws).includes('*');
  }
  return false;
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** IAM wildcards: `*` any run, `?` one character; actions compare case-insensitively. */
function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}
