/**
 * What the protect stage needs beyond one route, built once per loaded definition: the shared state
 * store, the API keys and usage plans, the IAM access keys, and where token issuers publish their keys.
 * AWS docs: "Usage plans and API keys", "Controlling access to HTTP APIs with JWT authorizers"
 * (jwks_uri from the issuer's OpenID discovery document), "Verifying a JSON Web Token" (Cognito
 * `https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json`).
 */
import type { Project } from '../../definitions/model.js';
import type { Logger } from '../../core/log.js';
import { ApiKeyRegistry, loadApiKeys } from './api-keys.js';
import { MemoryProtectState, type ProtectState } from './state.js';
import { IamIdentities, loadIdentities } from '../../iam/identities.js';

/** Resolves the JWKS URL of a token issuer. */
export type JwksUriResolver = (issuer: string) => Promise<string>;

export interface ProtectServices {
  state: ProtectState;
  keys: ApiKeyRegistry;
  /** IAM identities whose keys must sign AWS_IAM requests; none declared and not enforced = any access key is accepted. */
  accessKeys: IamIdentities;
  /** Overridable: the embedded Cognito user pools serve their keys from the gateway's own endpoint. */
  jwksUri: JwksUriResolver;
  close(): Promise<void>;
}

export interface ProtectServicesOptions {
  /** Defaults to a new in-memory store; pass a shared one (Redis) to share throttles and quotas. */
  state?: ProtectState;
  jwksUri?: JwksUriResolver;
  /** The IAM identities (and whether their policies are enforced); the template's users when absent. */
  iam?: IamIdentities;
  log?: Logger;
}

export function createProtectServices(project: Project | null, options: ProtectServicesOptions = {}): ProtectServices {
  const state = options.state ?? new MemoryProtectState();
  const keys = new ApiKeyRegistry();
  const accessKeys = options.iam ?? (project === null ? new IamIdentities(false) : loadIdentities(project, null, false));
  if (project !== null) {
    const report = loadApiKeys(project, keys);
    for (const problem of report.problems) options.log?.warn(`usage plans: ${problem}`);
    for (const key of report.generated) options.log?.info(`API key ${key.name} (${key.id}): ${key.value}`);
  }
  return {
    state,
    keys,
    accessKeys,
    jwksUri: options.jwksUri ?? defaultJwksUri(),
    close: () => state.close(),
  };
}

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[^/]+$/;

/**
 * Cognito issuers publish at `{issuer}/.well-known/jwks.json`; any other issuer names its `jwks_uri`
 * in `{issuer}/.well-known/openid-configuration`. Discovery answers are kept; a failed one is retried.
 */
export function defaultJwksUri(fetchJson: (url: string) => Promise<unknown> = getJson): JwksUriResolver {
  const known = new Map<string, Promise<string>>();
  return (issuer) => {
    const base = issuer.replace(/\/+$/, '');
    if (COGNITO_ISSUER.test(base)) return Promise.resolve(`${base}/.well-known/jwks.json`);
    let pending = known.get(base);
    if (pending === undefined) {
      pending = fetchJson(`${base}/.well-known/openid-configuration`).then((doc) => {
        const uri = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['jwks_uri'] : undefined;
        if (typeof uri !== 'string') throw new Error(`${base}/.well-known/openid-configuration has no jwks_uri`);
        return uri;
      });
      pending.catch(() => known.delete(base));
      known.set(base, pending);
    }
    return pending;
  };
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as unknown;
}
