/**
 * AWS_IAM method authorization: the client's Signature Version 4 (Authorization header or pre-signed
 * query) recomputed with @smithy/signature-v4's canonical request, the caller put in
 * `$context.identity` (accessKey, accountId, caller, user, userArn), then combined with the resource
 * policy. Access keys declared in the template (`AWS::IAM::AccessKey`) must sign correctly; when none
 * are declared any access key is accepted (its secret is unknown, so only the form and time are checked).
 * AWS docs: "Control access to a REST API with IAM permissions", IAM User Guide "Signature Version 4
 * for API requests", "How API Gateway resource policies affect authorization workflow" (Tables A and B).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { getCanonicalHeaders, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { GatewayError } from '../../core/errors.js';
import type { Route } from '../../definitions/model.js';
import type { Logger } from '../../core/log.js';
import { evaluateIdentity, identityConditions } from '../../iam/evaluate.js';
import type { IamIdentities } from '../../iam/identities.js';
import type { RequestContext } from '../context.js';
import type { CompiledApi } from '../deployment.js';
import { accessDenied, DENY_MESSAGES, methodArn, type Step } from './common.js';
import type { Policy } from './policy.js';
import { evaluateResourcePolicy, requestConditions } from './resource-policy.js';

/** A SHA-256 hash or HMAC on node:crypto, in the shape smithy's signer wants. */
class NodeSha256 implements Checksum {
  readonly #secret: SourceData | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#create();
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#create();
  }

  #create(): ReturnType<typeof createHash> | ReturnType<typeof createHmac> {
    if (this.#secret === undefined) return createHash('sha256');
    const key = typeof this.#secret === 'string' ? this.#secret : Buffer.from(this.#secret as Uint8Array);
    return createHmac('sha256', key);
  }
}

/** Smithy's signer with its canonical request and string to sign exposed, to recompute a client's signature. */
class Recomputer extends SignatureV4 {
  canonical(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }

  toSign(longDate: string, scope: string, canonical: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256');
  }
}

interface ParsedAuth {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
  /** Pre-signed URLs: seconds the signature stays valid. */
  expires: number | null;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
/** API Gateway accepts signatures up to 5 minutes off ("Signature expired: ... (now - 5 min.)"). */
const SKEW_MS = 5 * 60 * 1000;

function invalidSignature(message: string): GatewayError {
  return new GatewayError('INVALID_SIGNATURE', message);
}

/** Reads the Authorization header or the X-Amz-* query parameters; null when the request is not signed at all. */
function parseAuth(ctx: RequestContext): ParsedAuth | null {
  const header = ctx.request.headers.get('authorization');
  const query = ctx.request.query;
  const q = (name: string) => query.get(name)?.[0];
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let longDate: string | undefined;
  let expires: number | null = null;
  if (header !== undefined && header !== '') {
    if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
      throw invalidSignature(incompleteMessage(header));
    }
    const fields = new Map<string, string>();
    for (const part of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq !== -1) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    credential = fields.get('Credential');
    signedHeaders = fields.get('SignedHeaders');
    signature = fields.get('Signature');
    longDate = ctx.request.headers.get('x-amz-date') ?? httpDateToLong(ctx.request.headers.get('date'));
    if (credential === undefined || signedHeaders === undefined || signature === undefined || longDate === undefined) {
      throw invalidSignature(incompleteMessage(header));
    }
  } else if (q('X-Amz-Signature') !== undefined || q('X-Amz-Algorithm') !== undefined) {
    credential = q('X-Amz-Credential');
    signedHeaders = q('X-Amz-SignedHeaders');
    signature = q('X-Amz-Signature');
    longDate = q('X-Amz-Date');
    expires = Number(q('X-Amz-Expires') ?? '900');
    if (q('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || credential === undefined || signedHeaders === undefined || signature === undefined || longDate === undefined) {
      throw invalidSignature('AWS query-string parameters must include X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders.');
    }
  } else {
    return null;
  }
  const [accessKeyId, shortDate, region, service, terminator] = credential.split('/');
  if (accessKeyId === undefined || shortDate === undefined || region === undefined || service === undefined || terminator !== 'aws4_request') {
    throw invalidSignature(`Credential should be scoped to a valid region, not '${region ?? ''}'. Credential should be scoped to correct service: '${service ?? ''}'.`);
  }
  return { accessKeyId, shortDate, region, service, signedHeaders: signedHeaders.toLowerCase().split(';'), signature, longDate, expires };
}

function incompleteMessage(header: string): string {
  return `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`;
}

/** `20240115T103000Z` from an HTTP date, when a client signed with `Date` instead of `X-Amz-Date`. */
function httpDateToLong(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function longToMs(longDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  return m === null ? NaN : Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function msToLong(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The 5-minute window; messages as API Gateway words them. */
function checkTime(auth: ParsedAuth, now: number): void {
  const signed = longToMs(auth.longDate);
  if (Number.isNaN(signed)) throw invalidSignature(`Date must be in ISO-8601 'basic format'. Got '${auth.longDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const validUntil = auth.expires === null ? signed + SKEW_MS : signed + auth.expires * 1000;
  if (now > validUntil) {
    throw invalidSignature(`Signature expired: ${auth.longDate} is now earlier than ${msToLong(now - (validUntil - signed))} (${msToLong(now)} - ${auth.expires === null ? '5 min.' : `${auth.expires} sec.`})`);
  }
  if (signed > now + SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${auth.longDate} is still later than ${msToLong(now + SKEW_MS)} (${msToLong(now)} + 5 min.)`);
  }
}

/** Recomputes the signature of the request as the client built it; throws INVALID_SIGNATURE on a mismatch. */
async function verifySignature(ctx: RequestContext, auth: ParsedAuth, secretAccessKey: string): Promise<void> {
  const request = ctx.request;
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) headers[name] = request.headers.getAll(name)?.join(',') ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of request.query) query[name] = values.length === 1 ? values[0]! : values;
  const signer = new Recomputer({ credentials: { accessKeyId: auth.accessKeyId, secretAccessKey }, region: auth.region, service: auth.service, sha256: NodeSha256 });
  const httpRequest = new HttpRequest({ method: request.method, hostname: request.host, path: ctx.contextPath, headers, query });
  // The body is hashed here: a declared x-amz-content-sha256 is only trusted as UNSIGNED-PAYLOAD, so a
  // changed body cannot hide behind the hash of the original one.
  const declared = request.headers.get('x-amz-content-sha256');
  const payloadHash = declared === 'UNSIGNED-PAYLOAD' ? declared : createHash('sha256').update(request.body).digest('hex');
  const canonical = signer.canonical(httpRequest, getCanonicalHeaders(httpRequest, undefined, new Set(auth.signedHeaders)), payloadHash);
  const scope = `${auth.shortDate}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = await signer.toSign(auth.longDate, scope, canonical);
  const key = await getSigningKey(NodeSha256, { accessKeyId: auth.accessKeyId, secretAccessKey }, auth.shortDate, auth.region, auth.service);
  const expected = Buffer.from(createHmac('sha256', key).update(toSign).digest('hex'));
  const provided = Buffer.from(auth.signature);
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
    // API Gateway adds the canonical request and the string to sign it expected, to help fix a signer.
    throw invalidSignature(`${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${toSign}'\n`);
  }
}

/**
 * The AWS_IAM step: no signature is 403 Missing Authentication Token; a bad or stale one 403 with the
 * signature message; a good one fills `$context.identity` and then meets the resource policy: the
 * API's account passes unless the policy denies (Table A), another account needs its explicit allow (Table B).
 * With `--enforce-iam` only declared access keys sign, and the caller's identity-based policies must
 * allow `execute-api:Invoke` on the method ARN, unless a same-account resource policy allows it (Table A).
 */
export function compileSigV4Check(_route: Route, api: CompiledApi, policy: Policy | null, keys: IamIdentities, log: Logger): Step {
  return async (ctx) => {
    const auth = parseAuth(ctx);
    if (auth === null) throw new GatewayError('MISSING_AUTHENTICATION_TOKEN');
    checkTime(auth, Date.now());
    const key = keys.get(auth.accessKeyId);
    if (keys.size > 0 || keys.enforce) {
      if (key === undefined) throw new GatewayError('INVALID_SIGNATURE', 'The security token included in the request is invalid.');
      await verifySignature(ctx, auth, key.secretAccessKey);
    }
    const accountId = key?.accountId ?? api.accountId;
    const userArn = key?.userArn ?? `arn:aws:iam::${accountId}:root`;
    const userId = key?.userId ?? accountId;
    const identity = ctx.identity;
    identity.accessKey = auth.accessKeyId;
    identity.accountId = accountId;
    identity.caller = userId;
    identity.user = userId;
    identity.userArn = userArn;
    ctx.invalidateContextVariables();
    const sameAccount = accountId === api.accountId;
    if (!keys.enforce || key === undefined) {
      if (policy === null) return;
      const arn = methodArn(ctx);
      const decision = evaluateResourcePolicy(policy, ctx, arn);
      if (decision === 'Deny' || (!sameAccount && decision !== 'Allow')) throw accessDenied(DENY_MESSAGES.resourcePolicy(userArn, arn, decision === 'Deny'));
      return;
    }
    const arn = methodArn(ctx);
    const resourceDecision = policy === null ? 'None' : evaluateResourcePolicy(policy, ctx, arn);
    const { decision, by } = evaluateIdentity(key, { action: 'execute-api:Invoke', resource: arn, conditions: identityConditions(key, requestConditions(ctx)) });
    const explicit = decision === 'Deny' || resourceDecision === 'Deny';
    const allowed = !explicit && (sameAccount ? decision === 'Allow' || resourceDecision === 'Allow' : decision === 'Allow' && resourceDecision === 'Allow');
    const why = `identity policy ${decision}${by === null ? '' : ` (${by})`}, resource policy ${policy === null ? 'none' : resourceDecision}`;
    if (!allowed) {
      log.info(`iam: ${userArn} denied execute-api:Invoke on ${arn}: ${why}`);
      throw accessDenied(DENY_MESSAGES.resourcePolicy(userArn, arn, explicit));
    }
    log.debug(`iam: ${userArn} allowed execute-api:Invoke on ${arn}: ${why}`);
  };
}
