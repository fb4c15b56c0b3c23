/**
 * The standard AWS credential chain, as far as gatehouse reads it for `--target <service>=aws`:
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the shared
 * credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) for AWS_PROFILE (default
 * `default`). AWS docs: SDKs and Tools Reference Guide, "Standardized credential providers" and
 * "Shared config and credentials files". SSO, process, container and instance-metadata
 * providers are not read.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SigningCredentials } from './sigv4-signer.js';

export function standardCredentials(env: NodeJS.ProcessEnv = process.env): SigningCredentials | undefined {
  const fromEnv = pick(env['AWS_ACCESS_KEY_ID'], env['AWS_SECRET_ACCESS_KEY'], env['AWS_SESSION_TOKEN']);
  if (fromEnv !== undefined) return fromEnv;
  let text: string;
  try {
    text = readFileSync(env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(homedir(), '.aws', 'credentials'), 'utf8');
  } catch {
    return undefined;
  }
  const profile = iniSection(text, env['AWS_PROFILE'] ?? 'default');
  return pick(profile['aws_access_key_id'], profile['aws_secret_access_key'], profile['aws_session_token']);
}

function pick(accessKeyId: string | undefined, secretAccessKey: string | undefined, sessionToken: string | undefined): SigningCredentials | undefined {
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** `key = value` lines of one `[name]` section; `#` and `;` start comments. */
function iniSection(text: string, name: string): Record<string, string> {
  const values: Record<string, string> = {};
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inside = section[1] === name;
      continue;
    }
    const eq = line.indexOf('=');
    if (inside && eq > 0) values[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return values;
}
