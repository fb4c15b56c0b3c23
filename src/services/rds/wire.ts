/**
 * PostgreSQL wire protocol pieces shared by the database port and the PGlite bridge: reading the
 * frames a client sends, and writing the backend messages gatehouse answers itself.
 * PostgreSQL docs "Frontend/Backend Protocol": "Message Formats", "Error and Notice Message Fields".
 */

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
/** Protocol 3.0 in a StartupMessage. */
export const PROTOCOL_3 = 196608;

/**
 * Splits a client's byte stream into messages. Before startup, messages have no type byte (an
 * Int32 length first); after it, a type byte then an Int32 length that counts itself.
 */
export class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);
  #untyped = true;

  push(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
  }

  /** The startup packets are read; typed messages follow. */
  startupDone(): void {
    this.#untyped = false;
  }

  /** The next complete message (its whole bytes), or null when more bytes are needed. */
  next(): Buffer | null {
    const head = this.#untyped ? 0 : 1;
    if (this.#buffered.length < head + 4) return null;
    const length = this.#buffered.readInt32BE(head);
    if (length < 4) throw new Error('invalid message length');
    if (this.#buffered.length < head + length) return null;
    const frame = this.#buffered.subarray(0, head + length);
    this.#buffered = this.#buffered.subarray(head + length);
    return frame;
  }
}

/** The messages of a backend's output, in order: type byte and body. */
export function* backendMessages(output: Buffer): Generator<{ type: number; body: Buffer }> {
  for (let at = 0; at + 5 <= output.length; at += 1 + output.readInt32BE(at + 1)) {
    yield { type: output[at]!, body: output.subarray(at + 5, at + 1 + output.readInt32BE(at + 1)) };
  }
}

/** A typed backend message. */
export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export const cstring = (value: string): Buffer => Buffer.from(`${value}\0`, 'utf8');

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** ErrorResponse: severity, SQLSTATE and message, the fields every client reads. */
export function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  const fields: [string, string][] = [['S', severity], ['V', severity], ['C', code], ['M', text]];
  return message('E', Buffer.concat([...fields.map(([k, v]) => cstring(k + v)), Buffer.from([0])]));
}

/** The cstrings of a message body from `offset`, as many as asked. */
export function readCStrings(body: Buffer, offset: number, count: number): { values: string[]; end: number } {
  const values: string[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const zero = body.indexOf(0, at);
    if (zero < 0) throw new Error('unterminated string in message');
    values.push(body.toString('utf8', at, zero));
    at = zero + 1;
  }
  return { values, end: at };
}

/** The key/value pairs of a StartupMessage (after its length and protocol version). */
export function startupParameters(frame: Buffer): Map<string, string> {
  const params = new Map<string, string>();
  let at = 8;
  while (at < frame.length && frame[at] !== 0) {
    const { values, end } = readCStrings(frame, at, 2);
    params.set(values[0]!, values[1]!);
    at = end;
  }
  return params;
}
