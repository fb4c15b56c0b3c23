// Signs a case's `tokens:` as RS256 JWTs with the runner's key; jose is loaded only when a case has tokens.

import type { TokenSpec } from './case-file.js';
import { importOptional } from './optional-import.js';
import { KEY_ID, type SigningKey } from './upstream.js';

// The few jose calls used here, typed locally so the project compiles before jose is installed.
interface SignJwtBuilder {
  setProtectedHeader(header: Record<string, unknown>): SignJwtBuilder;
  sign(key: unknown): Promise<string>;
}
interface JoseModule {
  SignJWT: new (payload: Record<string, unknown>) => SignJwtBuilder;
  importJWK(jwk: Record<string, unknown>, alg: string): Promise<unknown>;
}

export async function signTokens(
  specs: Record<string, TokenSpec>,
  key: SigningKey,
  issuer: string,
  substitute: (value: unknown) => unknown,
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  const names = Object.keys(specs);
  if (!names.length) return tokens;
  const jose = await importOptional<JoseModule>('jose', 'tokens:');
  // importJWK gives whatever key type the installed jose version signs with (KeyObject or CryptoKey).
  const signingKey = await jose.importJWK(key.privateKey.export({ format: 'jwk' }) as Record<string, unknown>, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  for (const name of names) {
    const spec = specs[name]!;
    const claims = substitute(spec.claims) as Record<string, unknown>;
    const payload = { iss: issuer, iat: now, exp: now + spec.expiresIn, ...claims };
    const header = { typ: 'JWT', kid: spec.kid ?? KEY_ID, ...(substitute(spec.header) as Record<string, unknown>), alg: 'RS256' };
    tokens.set(name, await new jose.SignJWT(payload).setProtectedHeader(header).sign(signingKey));
  }
  return tokens;
}
