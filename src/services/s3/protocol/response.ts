/**
 * Writing S3 responses: the request-id headers every answer carries, XML documents, bodies
 * streamed from blobs, and errors as `<Error><Code/><Message/>...<RequestId/><HostId/></Error>`
 * (HEAD errors carry no body). AWS docs: Amazon S3 API Reference "Error responses"
 * (ErrorResponses.html) and "Common Response Headers" (RESTCommonResponseHeaders.html).
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { AwsServiceError } from '../../protocol/errors.js';
import { element, escapeXml, XML_DECLARATION } from './xml.js';

// Request ids only need to be unique: a per-process random prefix and a counter, no entropy per request.
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
const HOST_PREFIX = randomBytes(24).toString('base64');
let counter = 0;

export class S3Response {
  readonly requestId: string;
  readonly hostId: string;

  constructor(readonly res: ServerResponse) {
    counter = (counter + 1) >>> 0;
    const suffix = counter.toString(16).toUpperCase().padStart(8, '0');
    this.requestId = ID_PREFIX + suffix;
    this.hostId = HOST_PREFIX + suffix;
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return { 'x-amz-request-id': this.requestId, 'x-amz-id-2': this.hostId, Server: 'AmazonS3', ...extra };
  }

  /** A response with an optional small body (strings are UTF-8; Node writes them with the head in one syscall). */
  send(status: number, headers: Record<string, string> = {}, body?: string | Buffer): void {
    const all = this.#headers(headers);
    // 204 carries no Content-Length (RFC 9110 8.6); HEAD keeps the length of what GET would send.
    if (status !== 204 && (body !== undefined || all['Content-Length'] === undefined)) {
      all['Content-Length'] = String(body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    }
    this.res.writeHead(status, all);
    this.res.end(body);
  }

  xml(status: number, body: string, headers: Record<string, string> = {}): void {
    this.send(status, { 'Content-Type': 'application/xml', ...headers }, body);
  }

  /** Streams `length` bytes of an open blob from `start`, closing it after. */
  async stream(status: number, headers: Record<string, string>, file: FileHandle, start: number, length: number): Promise<void> {
    try {
      this.res.writeHead(status, this.#headers({ ...headers, 'Content-Length': String(length) }));
      await pipeline(file.createReadStream({ start, end: start + length - 1, autoClose: false }), this.res);
    } catch (error) {
      // A client that hangs up mid-body is not a server fault.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    } finally {
      await file.close();
    }
  }

  /** The S3 error document; HEAD responses carry the status and headers only. */
  error(error: AwsServiceError, head: boolean): void {
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    if (head) {
      this.send(error.status);
      return;
    }
    let extra = '';
    for (const [name, value] of Object.entries(error.extra)) {
      if (value !== undefined && value !== null) extra += element(name, String(value));
    }
    const body =
      `${XML_DECLARATION}<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
      `${extra}<RequestId>${this.requestId}</RequestId><HostId>${escapeXml(this.hostId)}</HostId></Error>`;
    this.xml(error.status, body);
  }
}
