/**
 * The AWS-compatible endpoint (`--aws-port`): one server for every embedded service plus
 * gatehouse's own `/_gatehouse/*` routes (health). The body is read once; the first service whose
 * protocol claims the request answers it (JSON services by `X-Amz-Target`, query services by
 * `Action=`, REST services by path). What no service claims gets an AWS-style error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import type { EmbeddedService, ServiceRequest } from '../services/service.js';
import { checkSignature, type SecretLookup } from './signature-check.js';

export interface AwsEndpointOptions {
  /** True once every definition is loaded and both servers listen. */
  ready: () => boolean;
  /** The current services (a getter: `--watch` may replace them). */
  services: () => readonly EmbeddedService[];
  log: Logger;
  /** `--verify-signatures`: the secret of each accepted access key (S3 checks its own requests). */
  lookupSecret?: SecretLookup;
}

export function createAwsEndpointHandler(options: AwsEndpointOptions) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url === '/_gatehouse/health' || url.startsWith('/_gatehouse/health?')) {
      req.resume();
      const ready = options.ready();
      // The pid tells a caller which process holds the port (test runners pick ports concurrently).
      const body = JSON.stringify({ status: ready ? 'ok' : 'starting', pid: process.pid });
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const q = url.indexOf('?');
      const request: ServiceRequest = {
        raw: req,
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        query: q === -1 ? '' : url.slice(q + 1),
        headers: req.headers,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      };
      const service = options.services().find((s) => s.matches(request));
      if (service === undefined) {
        writeUnknown(res);
        return;
      }
      const lookupSecret = service.name === 's3' || service.unsigned?.(request) === true ? undefined : options.lookupSecret;
      const handled =
        lookupSecret === undefined
          ? service.handle(request, res)
          : checkSignature(request, service, lookupSecret, res).then((valid) => (valid ? service.handle(request, res) : undefined));
      handled.catch((error: unknown) => {
        options.log.error(`${service.name}: ${(error as Error)?.stack ?? String(error)}`);
        if (!res.headersSent) {
          const body = JSON.stringify({ __type: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' });
          res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(body.length) });
          res.end(body);
        } else {
          res.destroy();
        }
      });
    });
  };
}

function writeUnknown(res: ServerResponse): void {
  const body = JSON.stringify({ __type: 'UnknownOperationException', message: 'No embedded service handles this request' });
  res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(body.length) });
  res.end(body);
}
