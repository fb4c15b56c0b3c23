/**
 * Credentials for calls gatehouse signs for a target outside itself. Target `aws` uses the whole
 * standard credential chain of the AWS SDKs (`@aws-sdk/credential-provider-node`: environment, SSO,
 * shared config and credentials files with AWS_PROFILE — assume-role profiles, credential_process —
 * web identity token file, container and instance metadata), loaded only when some target is `aws`;
 * the chain caches what it resolves and resolves again five minutes before it expires. An engine URL
 * accepts any keys: it gets the environment's keys when set, else gatehouse's local ones.
 * AWS docs: SDKs and Tools Reference Guide, "Standardized credential providers" and "Understand the
 * credential provider chain"; AWS SDK for JavaScript v3 "@aws-sdk/credential-provider-node".
 */
import { LOCAL_CREDENTIALS, type CredentialProvider, type SigningCredentials } from './sigv4-signer.js';

/** The standard chain, one cache per call of this function (gatehouse makes one at start). */
export function standardCredentials(): CredentialProvider {
  let chain: Promise<CredentialProvider> | undefined;
  return async () => {
    // Imported on first use: start-up never loads the chain unless a target is `aws`.
    chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await chain)();
  };
}

/** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set, else the local keys (for engine URLs). */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): SigningCredentials {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return LOCAL_CREDENTIALS;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Resolves the chain once (at start), so missing or broken credentials stop gatehouse with the chain's reason. */
export async function credentialsProblem(credentials: CredentialProvider): Promise<string | undefined> {
  try {
    await credentials();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
