/**
 * Which credentials an `AWS` integration signs its service request with under `--enforce-iam`: the
 * integration's `credentials` role (a session only gatehouse holds the keys of, so the embedded
 * services apply that role's policies), or, for `arn:aws:iam::*:user/*`, the caller's own IAM
 * identity (API Gateway's "invoke with caller credentials"), so per-user policies such as
 * `dynamodb:LeadingKeys` = `${aws:username}` hold behind the API too. Otherwise: gatehouse's local keys.
 * AWS docs: API Gateway "Set up an API integration request" (credentials: an IAM role ARN, or
 * `arn:aws:iam::*:user/*` to use the caller's credentials); DynamoDB "fine-grained access control".
 */
import { SigV4Signer } from '../../http/sigv4-signer.js';
import type { IamIdentities, IamIdentity } from '../../iam/identities.js';
import type { RequestContext } from '../context.js';

const CALLER_CREDENTIALS = /^arn:aws[a-z-]*:iam::\*:user\/\*$/;

const signers = new WeakMap<IamIdentity, SigV4Signer>();

function signerOf(identity: IamIdentity): SigV4Signer {
  let signer = signers.get(identity);
  if (signer === undefined) signers.set(identity, (signer = new SigV4Signer(identity)));
  return signer;
}

/** Null when the integration signs with gatehouse's local keys; else the signer for each request. */
export function integrationSigner(credentials: string | undefined, identities: IamIdentities | undefined): ((ctx: RequestContext) => SigV4Signer | null) | null {
  if (credentials === undefined || identities === undefined || !identities.enforce) return null;
  if (CALLER_CREDENTIALS.test(credentials)) {
    return (ctx) => {
      const key = ctx.identity.accessKey;
      const caller = key === null ? undefined : identities.get(key);
      return caller === undefined ? null : signerOf(caller);
    };
  }
  const session = identities.roleSession(credentials);
  if (session === undefined) return null;
  const signer = signerOf(session);
  return () => signer;
}
