/**
 * The gatehouse IAM config (`--iam-config FILE`, JSON or YAML): credentials that act as a template
 * IAM user or as a session of a template role, with extra context keys for policy variables.
 *
 *   credentials:
 *     - { accessKeyId: AKIAALICE, secretAccessKey: secret-a, user: Alice }
 *     - { accessKeyId: ASIABOB, secretAccessKey: secret-b, role: AppUserRole, sessionName: bob,
 *         context: { "cognito-identity.amazonaws.com:sub": "us-east-1:1111" } }
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DefinitionError } from '../definitions/errors.js';
import type { CredentialConfig, IamConfig } from './identities.js';

export function readIamConfig(path: string): IamConfig {
  const file = resolve(path);
  const fail = (pointer: string, message: string) => new DefinitionError([{ file, pointer, message }]);
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw fail('', `cannot read the IAM config: ${(error as Error).message}`);
  }
  const list = (doc as { credentials?: unknown } | null)?.credentials;
  if (!Array.isArray(list)) throw fail('/credentials', 'expected a list of credentials');
  const credentials = list.map((entry, i): CredentialConfig => {
    const e = (entry ?? {}) as Record<string, unknown>;
    for (const key of ['accessKeyId', 'secretAccessKey']) {
      if (typeof e[key] !== 'string' || e[key] === '') throw fail(`/credentials/${i}/${key}`, 'expected a non-empty string');
    }
    const context = e['context'];
    if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) throw fail(`/credentials/${i}/context`, 'expected a map of context keys to values');
    return {
      accessKeyId: e['accessKeyId'] as string,
      secretAccessKey: e['secretAccessKey'] as string,
      ...(typeof e['user'] === 'string' && { user: e['user'] }),
      ...(typeof e['role'] === 'string' && { role: e['role'] }),
      ...(typeof e['sessionName'] === 'string' && { sessionName: e['sessionName'] }),
      ...(context !== undefined && { context: Object.fromEntries(Object.entries(context).map(([k, v]) => [k, String(v)])) }),
    };
  });
  return { file, credentials };
}
