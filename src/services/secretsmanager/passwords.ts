/**
 * Random passwords with Secrets Manager's rules, shared by GetRandomPassword and a template's
 * `GenerateSecretString`: length (default 32), excluded characters and classes, optional space, and by
 * default at least one character of each included class.
 * AWS docs: Secrets Manager API "GetRandomPassword"; CloudFormation "AWS::SecretsManager::Secret GenerateSecretString".
 */
import { randomInt } from 'node:crypto';
import { AwsServiceError } from '../protocol/errors.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface PasswordRules {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

const flag = (value: unknown): boolean => value === true || value === 'true';

/** Reads the rules from an API input or a template (where booleans and numbers may be strings). */
export function passwordRules(input: Record<string, unknown>): PasswordRules {
  const rules: PasswordRules = {};
  if (input['PasswordLength'] !== undefined) rules.PasswordLength = Number(input['PasswordLength']);
  if (typeof input['ExcludeCharacters'] === 'string') rules.ExcludeCharacters = input['ExcludeCharacters'];
  for (const key of ['ExcludeNumbers', 'ExcludePunctuation', 'ExcludeUppercase', 'ExcludeLowercase', 'IncludeSpace'] as const) {
    if (input[key] !== undefined) rules[key] = flag(input[key]);
  }
  if (input['RequireEachIncludedType'] !== undefined) rules.RequireEachIncludedType = flag(input['RequireEachIncludedType']);
  return rules;
}

export function generatePassword(rules: PasswordRules): string {
  const length = rules.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new AwsServiceError('InvalidParameterException', 'PasswordLength must be between 1 and 4096.');
  }
  const excluded = new Set(rules.ExcludeCharacters ?? '');
  const classes = [
    rules.ExcludeLowercase ? '' : LOWER,
    rules.ExcludeUppercase ? '' : UPPER,
    rules.ExcludeNumbers ? '' : DIGITS,
    rules.ExcludePunctuation ? '' : PUNCTUATION,
    rules.IncludeSpace ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  if (classes.length === 0) throw new AwsServiceError('InvalidParameterException', 'The password requirements exclude every character.');
  const all = classes.join('');
  const required = rules.RequireEachIncludedType ?? true ? classes : [];
  if (required.length > length) throw new AwsServiceError('InvalidParameterException', 'PasswordLength is too short to include each required character type.');
  const chars = required.map(pick);
  while (chars.length < length) chars.push(pick(all));
  // Shuffle so the required characters are not always first (Fisher-Yates).
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)]!;
}
