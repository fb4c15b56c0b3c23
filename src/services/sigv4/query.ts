/**
 * Query-string decoding shared by the verifier and the REST services: a raw query (without '?')
 * into decoded name -> value(s), repeated names kept in order.
 * AWS docs: "Create a canonical request" (IAM User Guide, create-signed-request.html).
 */

export type QueryMap = Record<string, string | string[]>;

/** Decodes `%XX` and `+` (form style); a malformed escape is kept as written rather than rejected. */
export function decodeComponent(text: string): string {
  const plain = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

export function parseQuery(raw: string): QueryMap {
  const out: QueryMap = Object.create(null) as QueryMap;
  if (raw === '') return out;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}

/** The first value of a parameter. */
export function queryValue(query: QueryMap, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}
