/**
 * The framed message protocol between gatehouse and a Node.js execution environment, one duplex
 * pipe (fd 3) both ways. It plays the part of the Lambda Runtime API ("Using the Lambda runtime
 * API for custom runtimes", runtimes-api.html) without HTTP: payloads travel as raw bytes, never
 * re-serialised, and a frame header is 9 bytes.
 *
 * Frame: u32le metaLength | u32le payloadLength | u8 type | meta (utf8) | payload (bytes)
 */

/** Frame types. Host -> environment: Invoke. Environment -> host: the rest. */
export const Frame = {
  /** meta: requestId \0 deadlineMs \0 invokedFunctionArn \0 clientContext \0 traceId; payload: the event. */
  Invoke: 1,
  /** Init finished, the environment waits for Invoke frames; meta: rss bytes. */
  Ready: 2,
  /** Init failed; payload: the error JSON (`{errorType, errorMessage, trace}`). */
  InitError: 3,
  /** meta: rss bytes; payload: the response JSON. */
  Result: 4,
  /** meta: rss bytes \0 fatal ('1' = the environment exits next); payload: the error JSON. */
  Error: 5,
  /** payload: log text (complete lines from console, raw text from process.stdout/stderr.write). */
  Log: 6,
  /** The event was not JSON; payload: the parser's message. */
  InvalidEvent: 7,
} as const;

export type FrameType = (typeof Frame)[keyof typeof Frame];

const HEADER = 9;

/** What a frame is written to: a net.Socket (cork/uncork make header and payload one writev). */
export interface FrameSink {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer | string): boolean;
}

/** One frame as a single buffer (header and payload copied together). */
export function encodeFrame(type: FrameType, meta: string, payload: Buffer | string): Buffer {
  const metaLength = meta.length === 0 ? 0 : Buffer.byteLength(meta);
  const payloadLength = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.allocUnsafe(HEADER + metaLength + payloadLength);
  writeHeader(frame, type, meta, metaLength, payloadLength);
  if (typeof payload === 'string') frame.write(payload, HEADER + metaLength, 'utf8');
  else payload.copy(frame, HEADER + metaLength);
  return frame;
}

/** Writes one frame; a large payload goes out after its header without being copied. */
export function writeFrame(sink: FrameSink, type: FrameType, meta: string, payload: Buffer | string): void {
  const payloadLength = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (payloadLength <= SMALL) {
    // One buffer, one write(2): each syscall wakes the other side, so fewer is faster.
    sink.write(encodeFrame(type, meta, payload));
    return;
  }
  const metaLength = meta.length === 0 ? 0 : Buffer.byteLength(meta);
  const head = Buffer.allocUnsafe(HEADER + metaLength);
  writeHeader(head, type, meta, metaLength, payloadLength);
  sink.cork();
  sink.write(head);
  sink.write(payload);
  sink.uncork();
}

/** Frames up to this size are copied into one buffer; larger payloads are written without a copy. */
const SMALL = 64 * 1024;

function writeHeader(target: Buffer, type: FrameType, meta: string, metaLength: number, payloadLength: number): void {
  target.writeUInt32LE(metaLength, 0);
  target.writeUInt32LE(payloadLength, 4);
  target[8] = type;
  if (metaLength > 0) target.write(meta, HEADER, 'utf8');
}

/** Reassembles frames from stream chunks; the common case (one frame inside one chunk) copies nothing. */
export class FrameDecoder {
  readonly #onFrame: (type: number, meta: string, payload: Buffer) => void;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(onFrame: (type: number, meta: string, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length >= HEADER) {
      const head = this.#first(HEADER);
      const metaLength = head.readUInt32LE(0);
      const total = HEADER + metaLength + head.readUInt32LE(4);
      if (this.#length < total) return;
      const frame = this.#take(total);
      const meta = metaLength === 0 ? '' : frame.toString('utf8', HEADER, HEADER + metaLength);
      this.#onFrame(frame[8]!, meta, frame.subarray(HEADER + metaLength));
    }
  }

  /** The first n buffered bytes, joining chunks only when a header straddles them. */
  #first(n: number): Buffer {
    const head = this.#chunks[0]!;
    if (head.length >= n) return head;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(n: number): Buffer {
    let head = this.#chunks[0]!;
    if (head.length < n) {
      head = Buffer.concat(this.#chunks);
      this.#chunks = [head];
    }
    this.#length -= n;
    if (head.length === n) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(n);
    return head.subarray(0, n);
  }
}
