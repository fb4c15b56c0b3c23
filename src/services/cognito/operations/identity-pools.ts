/**
 * Cognito identity pools (`X-Amz-Target: AWSCognitoIdentityService.*`): GetId turns a user pool ID
 * token (or no login, for guests) into a stable identity id, GetCredentialsForIdentity hands out
 * temporary credentials of the pool's authenticated / unauthenticated role. Under `--enforce-iam`
 * those keys act as a `CognitoIdentityCredentials` session of the role with
 * `cognito-identity.amazonaws.com:sub` = the identity id, so `${cognito-identity.amazonaws.com:sub}`
 * policies (DynamoDB LeadingKeys, execute-api resources) hold per user. Pools come from the template
 * (`AWS::Cognito::IdentityPool`, `IdentityPoolRoleAttachment`).
 * AWS docs: Cognito Identity API Reference "GetId", "GetCredentialsForIdentity"; Developer Guide
 * "IAM roles" (role trust and the cognito-identity.amazonaws.com:aud/amr/sub keys), "Identity pools
 * (federated identities) authentication flow" (enhanced flow).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Project } from '../../../definitions/model.js';
import type { IamIdentities } from '../../../iam/identities.js';
import { cognitoError, notAuthorized, requiredString, stringMap, type CognitoContext, type Input } from '../context.js';
import { readPoolToken } from '../tokens.js';

export interface IdentityPool {
  id: string;
  allowUnauthenticated: boolean;
  /** `cognito-idp.{region}.amazonaws.com/{userPoolId}` -> client ids accepted. */
  providers: Map<string, Set<string>>;
  roles: { authenticated?: string; unauthenticated?: string };
}

const CREDENTIALS_MS = 3600 * 1000;
const SESSION = 'CognitoIdentityCredentials';

/** The template's identity pools with their providers and role attachments. */
export function templateIdentityPools(project: Project): Map<string, IdentityPool> {
  const pools = new Map<string, IdentityPool>();
  for (const r of project.resources) {
    if (r.type !== 'AWS::Cognito::IdentityPool') continue;
    const providers = new Map<string, Set<string>>();
    for (const p of (r.properties['CognitoIdentityProviders'] as { ProviderName?: unknown; ClientId?: unknown }[] | undefined) ?? []) {
      const name = String(p.ProviderName ?? '');
      if (!providers.has(name)) providers.set(name, new Set());
      if (p.ClientId !== undefined) providers.get(name)!.add(String(p.ClientId));
    }
    const allow = r.properties['AllowUnauthenticatedIdentities'];
    pools.set(r.physicalId, { id: r.physicalId, allowUnauthenticated: allow === true || allow === 'true', providers, roles: {} });
  }
  for (const r of project.resources) {
    if (r.type !== 'AWS::Cognito::IdentityPoolRoleAttachment') continue;
    const pool = pools.get(String(r.properties['IdentityPoolId'] ?? ''));
    const roles = (r.properties['Roles'] ?? {}) as Record<string, unknown>;
    if (pool === undefined) continue;
    if (typeof roles['authenticated'] === 'string') pool.roles.authenticated = roles['authenticated'];
    if (typeof roles['unauthenticated'] === 'string') pool.roles.unauthenticated = roles['unauthenticated'];
  }
  return pools;
}

export interface IdentityContext extends CognitoContext {
  identityPools: Map<string, IdentityPool>;
  iam: IamIdentities | undefined;
}

function requireIdentityPool(ctx: IdentityContext, id: string): IdentityPool {
  const pool = ctx.identityPools.get(id);
  if (pool === undefined) throw cognitoError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
  return pool;
}

/** The verified login of a Logins map (`{provider}/{sub}`), or null for a guest. */
async function verifiedLogin(ctx: IdentityContext, pool: IdentityPool, input: Input): Promise<string | null> {
  const logins = Object.entries(stringMap(input, 'Logins'));
  if (logins.length === 0) {
    if (!pool.allowUnauthenticated) throw notAuthorized('Unauthenticated access is not supported for this identity pool.');
    return null;
  }
  const [provider, token] = logins[0]!;
  const clients = pool.providers.get(provider);
  if (clients === undefined) throw notAuthorized(`Invalid login token. Issuer doesn't match providerName`);
  const claims = await readPoolToken(ctx.region, (id) => ctx.store.getPool(id), token, 'id');
  if (claims === 'expired') throw notAuthorized('Invalid login token. Token expired.');
  if (claims === null || `https://${provider}` !== claims.iss) throw notAuthorized('Invalid login token. Not a valid OpenId Connect identity token.');
  if (clients.size > 0 && !clients.has(String(claims.aud))) throw notAuthorized('Invalid login token. Incorrect token audience.');
  return `${provider}/${String(claims.sub)}`;
}

const newIdentityId = (ctx: CognitoContext) => `${ctx.region}:${randomUUID()}`;

export async function getId(ctx: IdentityContext, input: Input): Promise<unknown> {
  const pool = requireIdentityPool(ctx, requiredString(input, 'IdentityPoolId'));
  const login = await verifiedLogin(ctx, pool, input);
  if (login === null) {
    const id = newIdentityId(ctx);
    ctx.store.identityOf(pool.id, `unauthenticated:${id}`, () => id);
    return { IdentityId: id };
  }
  return { IdentityId: ctx.store.identityOf(pool.id, login, () => newIdentityId(ctx)) };
}

export async function getCredentialsForIdentity(ctx: IdentityContext, input: Input): Promise<unknown> {
  const identityId = requiredString(input, 'IdentityId');
  const known = ctx.store.loginOf(identityId);
  if (known === undefined) throw cognitoError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
  const pool = requireIdentityPool(ctx, known.poolId);
  const guest = known.login.startsWith('unauthenticated:');
  if (!guest) {
    // An authenticated identity needs its login again (the enhanced flow).
    const login = Object.keys(stringMap(input, 'Logins')).length === 0 ? null : await verifiedLogin(ctx, pool, input);
    if (login !== known.login) throw notAuthorized(`Access to Identity '${identityId}' is forbidden.`);
  }
  const roleArn = guest ? pool.roles.unauthenticated : pool.roles.authenticated;
  if (roleArn === undefined) throw cognitoError('InvalidIdentityPoolConfigurationException', 'Invalid identity pool configuration. Check assigned IAM roles for this pool.');
  const credentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    roleArn,
    identityId,
    poolId: pool.id,
    expires: ctx.now() + CREDENTIALS_MS,
  };
  ctx.store.putCredentials(credentials);
  registerCredentials(ctx, credentials, guest);
  return {
    IdentityId: identityId,
    Credentials: { AccessKeyId: credentials.accessKeyId, SecretKey: credentials.secretAccessKey, SessionToken: randomBytes(64).toString('base64'), Expiration: credentials.expires / 1000 },
  };
}

/** Makes the keys a session of the pool's role for the IAM checks (no-op unless policies are enforced). */
export function registerCredentials(ctx: IdentityContext, c: { accessKeyId: string; secretAccessKey: string; roleArn: string; identityId: string; poolId: string }, guest: boolean): void {
  ctx.iam?.openSession(c.roleArn, SESSION, c, {
    'cognito-identity.amazonaws.com:sub': c.identityId,
    'cognito-identity.amazonaws.com:aud': c.poolId,
    'cognito-identity.amazonaws.com:amr': guest ? 'unauthenticated' : 'authenticated',
  });
}
