/**
 * The headers of an endpoint response as mappings see them (`integration.response.header.NAME`):
 * everything the backend sent but the connection-level hop-by-hop headers. Content-Length stays —
 * it describes the backend's payload, and the S3 proxy tutorial's HEAD method maps
 * `integration.response.header.Content-Length` onto the method response.
 * AWS docs: "Tutorial: Create a REST API as an Amazon S3 proxy" (OpenAPI definitions of the sample API).
 */
import { HeaderList } from '../../core/header-list.js';
import { HOP_BY_HOP } from '../stages/integration-request.js';

const NOTHING: ReadonlySet<string> = new Set();

/** `alsoKept`: lower-case hop-by-hop names to keep too (a REST API remaps Connection rather than dropping it). */
export function endpointHeaders(rawHeaders: readonly [string, string][], alsoKept: ReadonlySet<string> = NOTHING): HeaderList {
  const headers = new HeaderList();
  for (const [name, value] of rawHeaders) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || !HOP_BY_HOP.has(lower) || alsoKept.has(lower)) headers.append(name, value);
  }
  return headers;
}
