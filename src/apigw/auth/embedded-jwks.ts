/**
 * Where the gateway finds the keys of a Cognito issuer: a user pool the embedded endpoint serves
 * publishes its JWKS there (`{endpoint}/{poolId}/.well-known/jwks.json`), so COGNITO_USER_POOLS and
 * JWT authorizers verify its tokens offline; any other issuer resolves as before (real Cognito, OIDC discovery).
 * AWS docs: "Verifying a JSON Web Token" (Cognito issuer `https://cognito-idp.{region}.amazonaws.com/{poolId}`).
 */
import type { JwksUriResolver } from './services.js';

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([^/]+)$/;

export function embeddedCognitoJwksUri(endpoint: string, fallback: JwksUriResolver): JwksUriResolver {
  // Only answers "served here" are kept: a pool created later through the endpoint is found on its first token.
  const local = new Map<string, string>();
  return async (issuer) => {
    const poolId = COGNITO_ISSUER.exec(issuer.replace(/\/+$/, ''))?.[1];
    if (poolId === undefined) return fallback(issuer);
    const known = local.get(poolId);
    if (known !== undefined) return known;
    const uri = `${endpoint}/${poolId}/.well-known/jwks.json`;
    const served = await fetch(uri, { signal: AbortSignal.timeout(5_000) }).then(
      async (res) => (await res.arrayBuffer(), res.ok),
      () => false,
    );
    if (!served) return fallback(issuer);
    local.set(poolId, uri);
    return uri;
  };
}
