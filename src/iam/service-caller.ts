/**
 * Which mapped identity made a call to an embedded service: the request's SigV4 access key looked up
 * among the IAM identities, its signature verified with that identity's secret. Calls signed by other
 * keys (or not signed) have no mapped identity and keep the endpoint's "any credentials" behaviour.
 * AWS docs: IAM User Guide "Signature Version 4 for API requests".
 */
import type { ServiceRequest } from '../services/service.js';
import { parseSigV4, verifySigV4 } from '../services/sigv4/index.js';
import type { IamIdentities, IamIdentity } from './identities.js';

/** The verified identity, or null; throws SigV4Error when a mapped key's signature does not hold. */
export async function callerIdentity(request: ServiceRequest, identities: IamIdentities): Promise<IamIdentity | null> {
  if (identities.size === 0) return null;
  const auth = parseSigV4(request);
  const identity = auth === undefined ? undefined : identities.get(auth.accessKeyId);
  if (identity === undefined) return null;
  await verifySigV4(request, { lookupSecret: (id) => identities.get(id)?.secretAccessKey });
  return identity;
}
