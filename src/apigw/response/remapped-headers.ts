/**
 * REST APIs do not let an integration set the headers API Gateway owns: such a header reaches the
 * client renamed `x-amzn-Remapped-<name>` (HTTP APIs pass headers unchanged).
 * AWS docs: "Amazon API Gateway important notes" (the headers that "may be remapped to
 * x-amzn-Remapped-HEADER when ... sent back by your integration endpoint"; a 401's WWW-Authenticate
 * arriving as X-Amzn-Remapped-WWW-Authenticate). Which ones, per integration type, as recorded
 * against AWS by LocalStack's validated API Gateway tests (method_response.py: Connection,
 * Content-Length, Date and Server always; the other request-side names for HTTP/AWS mappings) and
 * by users of Lambda proxy integrations (WWW-Authenticate and Authorization renamed).
 */
import type { IntegrationType } from '../../definitions/model.js';
import type { HeaderList } from '../../core/header-list.js';

const ALWAYS = ['Connection', 'Content-Length', 'Date', 'Server'];
const PROXY = [...ALWAYS, 'Authorization', 'WWW-Authenticate'];
const NON_PROXY = [
  ...ALWAYS,
  'Authorization',
  'Content-MD5',
  'Expect',
  'Host',
  'Max-Forwards',
  'Proxy-Authenticate',
  'Trailer',
  'Upgrade',
  'User-Agent',
  'WWW-Authenticate',
];

/** The names a REST integration of `type` cannot return as they are. */
export function remappedHeaderNames(type: IntegrationType): readonly string[] {
  if (type === 'HTTP' || type === 'AWS') return NON_PROXY;
  if (type === 'HTTP_PROXY' || type === 'AWS_PROXY') return PROXY;
  return ALWAYS;
}

/** Renames, in place, each of `names` present in `headers` to `x-amzn-Remapped-<name>`. */
export function remapHeaders(headers: HeaderList, names: readonly string[]): void {
  for (const name of names) {
    const values = headers.getAll(name);
    if (values === undefined) continue;
    headers.delete(name);
    for (const value of values) headers.append(`x-amzn-Remapped-${name}`, value);
  }
}
