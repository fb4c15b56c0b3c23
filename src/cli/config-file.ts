/**
 * `gatehouse serve --config <file>`: the service settings of the command line in a file (JSON or
 * YAML), for what is tedious to repeat on every start. Flags given on the command line win.
 *
 *   targets: {dynamodb: aws, s3: "http://127.0.0.1:9000"}   # --target SERVICE=...
 *   verifySignatures: true                                   # --verify-signatures
 *   accessKeys: {AKIDEXAMPLE: secret}                        # --access-key AKID=SECRET
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ServeConfig {
  targets: Record<string, string>;
  verifySignatures: boolean;
  accessKeys: Record<string, string>;
}

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

const KEYS = new Set(['targets', 'verifySignatures', 'accessKeys']);

export function readServeConfig(file: string): ServeConfig {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigFileError(`${file}: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigFileError(`${file}: expected a mapping of settings`);
  const settings = data as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    if (!KEYS.has(key)) throw new ConfigFileError(`${file}#/${key}: unknown setting (known: ${[...KEYS].join(', ')})`);
  }
  const verify = settings['verifySignatures'] ?? false;
  if (typeof verify !== 'boolean') throw new ConfigFileError(`${file}#/verifySignatures: expected true or false`);
  return { targets: stringMap(file, settings, 'targets'), verifySignatures: verify, accessKeys: stringMap(file, settings, 'accessKeys') };
}

function stringMap(file: string, settings: Record<string, unknown>, key: string): Record<string, string> {
  const value = settings[key] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFileError(`${file}#/${key}: expected a mapping`);
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new ConfigFileError(`${file}#/${key}/${name}: expected a string`);
    out[name] = item;
  }
  return out;
}
