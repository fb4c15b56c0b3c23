/**
 * Passwords: stored as scrypt hashes (node:crypto, random salt), checked in constant time, and held
 * to the pool's password policy with Cognito's InvalidPasswordException wording.
 * AWS docs: API Reference "PasswordPolicyType" (defaults: 8 characters, upper, lower, numbers and
 * symbols required; symbols are `^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -`),
 * "Adding user pool password requirements". Messages as Cognito returns them (e.g.
 * "Password did not conform with policy: Password not long enough" from SignUp; AdminCreateUser says
 * "password policy", as recorded in data-dot-all/dataall #690).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AwsServiceError } from '../protocol/errors.js';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

/** The pool's `Policies.PasswordPolicy` over Cognito's defaults. */
export function passwordPolicy(config: Record<string, unknown>): PasswordPolicy {
  const policies = config['Policies'] as { PasswordPolicy?: Record<string, unknown> } | undefined;
  const p = policies?.PasswordPolicy ?? {};
  const flag = (key: string) => p[key] === undefined || p[key] === true || p[key] === 'true';
  return {
    MinimumLength: Number(p['MinimumLength'] ?? 8),
    RequireUppercase: flag('RequireUppercase'),
    RequireLowercase: flag('RequireLowercase'),
    RequireNumbers: flag('RequireNumbers'),
    RequireSymbols: flag('RequireSymbols'),
    TemporaryPasswordValidityDays: Number(p['TemporaryPasswordValidityDays'] ?? 7),
  };
}

const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-');

/** Throws InvalidPasswordException naming the first requirement the password misses. */
export function checkPassword(password: string, policy: PasswordPolicy, wording: 'policy' | 'password policy'): void {
  const fail = (detail: string) => new AwsServiceError('InvalidPasswordException', `Password did not conform with ${wording}: ${detail}`);
  if ([...password].length < policy.MinimumLength) throw fail('Password not long enough');
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.has(c))) throw fail('Password must have symbol characters');
}
