/**
 * The AWS-compatible endpoint (`--aws-port`): one server for the embedded services, plus
 * gatehouse's own `/_gatehouse/*` routes (health). Services register a handler that claims the
 * requests of their protocol; what no service claims gets an AWS-style unknown-operation error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A service handler returns true when it took the request. */
export type AwsRequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface AwsEndpointOptions {
  /** True once every definition is loaded and both servers listen. */
  ready: () => boolean;
  handlers: AwsRequestHandler[];
}

export function createAwsEndpointHandler(options: AwsEndpointOptions) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url === '/_gatehouse/health' || url.startsWith('/_gatehouse/health?')) {
      const ready = options.ready();
      const body = JSON.stringify({ status: ready ? 'ok' : 'starting' });
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    for (const handler of options.handlers) if (handler(req, res)) return;
    req.resume();
    const body = JSON.stringify({ __type: 'UnknownOperationException', message: 'No embedded service handles this request' });
    res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': String(body.length) });
    res.end(body);
  };
}
