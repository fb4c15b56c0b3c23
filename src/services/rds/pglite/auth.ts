/**
 * The server side of password authentication, checked against the role's verifier in `pg_authid`
 * as PostgreSQL itself does: SCRAM-SHA-256 (RFC 5802 / RFC 7677, no channel binding) for SCRAM
 * verifiers, MD5 for md5 ones. A role without a password, or no role at all, goes through a mock
 * SCRAM exchange and fails like a wrong password, so a client cannot tell which it was.
 * PostgreSQL docs "Password Authentication", "SASL Authentication"; src/backend/libpq/auth-scram.c.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { cstring, int32, message, readCStrings } from '../wire.js';

const MECHANISM = 'SCRAM-SHA-256';
/** AuthenticationRequest codes (PostgreSQL docs "Message Formats"). */
const AUTH_MD5 = 5;
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

const authentication = (code: number, data: Buffer = Buffer.alloc(0)): Buffer => message('R', Buffer.concat([int32(code), data]));
export const authenticationOk = (): Buffer => authentication(0);

interface ScramVerifier {
  iterations: number;
  salt: string;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the form pg_authid keeps. */
function parseScram(verifier: string): ScramVerifier | null {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (match === null) return null;
  return { iterations: Number(match[1]), salt: match[2]!, storedKey: Buffer.from(match[3]!, 'base64'), serverKey: Buffer.from(match[4]!, 'base64') };
}

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

export type Step = { reply: Buffer; done: false } | { reply: Buffer | null; done: true; ok: boolean };

/** One login's exchange: `start()` is the request to send, `receive()` takes each PasswordMessage ('p') body. */
export class PasswordExchange {
  readonly #stored: string | null;
  readonly #scram: ScramVerifier | null;
  #salt = Buffer.alloc(0);
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';

  /** `stored`: the role's pg_authid.rolpassword; null when there is no role or no usable password. */
  constructor(stored: string | null) {
    this.#stored = stored;
    const isMd5 = stored !== null && /^md5[0-9a-f]{32}$/.test(stored);
    this.#scram = isMd5 ? null : ((stored !== null && parseScram(stored)) || { iterations: 4096, salt: randomBytes(16).toString('base64'), storedKey: randomBytes(32), serverKey: randomBytes(32) });
  }

  start(): Buffer {
    if (this.#scram === null) {
      this.#salt = randomBytes(4);
      return authentication(AUTH_MD5, this.#salt);
    }
    return authentication(AUTH_SASL, Buffer.concat([cstring(MECHANISM), Buffer.from([0])]));
  }

  receive(body: Buffer): Step {
    if (this.#scram === null) return this.#md5(body);
    return this.#serverFirst === '' ? this.#saslInitial(body) : this.#saslFinal(body, this.#scram);
  }

  /** "md5" + md5(md5(password + user) + salt), against the stored md5(password + user). */
  #md5(body: Buffer): Step {
    const sent = readCStrings(body, 0, 1).values[0]!;
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(this.#stored!.slice(3)), this.#salt])).digest('hex');
    return { reply: null, done: true, ok: sameBytes(Buffer.from(sent), Buffer.from(expected)) };
  }

  /** SASLInitialResponse: the mechanism, then client-first-message `n,,n=<user>,r=<client nonce>`. */
  #saslInitial(body: Buffer): Step {
    const { values, end } = readCStrings(body, 0, 1);
    const length = body.readInt32BE(end);
    const clientFirst = body.toString('utf8', end + 4, end + 4 + Math.max(length, 0));
    const gs2 = /^([ny]),,(.*)$/.exec(clientFirst);
    const clientNonce = gs2 && /(?:^|,)r=([^,]+)/.exec(gs2[2]!)?.[1];
    if (values[0] !== MECHANISM || !gs2 || !clientNonce) return { reply: null, done: true, ok: false };
    this.#clientFirstBare = gs2[2]!;
    this.#nonce = clientNonce + randomBytes(18).toString('base64');
    this.#serverFirst = `r=${this.#nonce},s=${this.#scram!.salt},i=${this.#scram!.iterations}`;
    return { reply: authentication(AUTH_SASL_CONTINUE, Buffer.from(this.#serverFirst)), done: false };
  }

  /** SASLResponse: client-final-message `c=<gs2 header>,r=<nonce>,p=<proof>`; the proof must open StoredKey. */
  #saslFinal(body: Buffer, scram: ScramVerifier): Step {
    const clientFinal = body.toString('utf8');
    const proofAt = clientFinal.lastIndexOf(',p=');
    const withoutProof = proofAt < 0 ? '' : clientFinal.slice(0, proofAt);
    if (proofAt < 0 || !withoutProof.split(',').includes(`r=${this.#nonce}`)) return { reply: null, done: true, ok: false };
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const signature = createHmac('sha256', scram.storedKey).update(authMessage).digest();
    if (proof.length !== signature.length || this.#stored === null) return { reply: null, done: true, ok: false };
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
    if (!sameBytes(createHash('sha256').update(clientKey).digest(), scram.storedKey)) return { reply: null, done: true, ok: false };
    const serverSignature = createHmac('sha256', scram.serverKey).update(authMessage).digest('base64');
    return { reply: authentication(AUTH_SASL_FINAL, Buffer.from(`v=${serverSignature}`)), done: true, ok: true };
  }
}
