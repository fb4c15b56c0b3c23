/**
 * Media types as API Gateway compares them: the base type without parameters, case-insensitive;
 * `binaryMediaTypes` entries may use wildcards (`image/*`, `*\/*`).
 * AWS docs: "Binary media types for REST APIs in API Gateway".
 */

/** 'Application/JSON; charset=utf-8' -> 'application/json'. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  const base = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return base === '' ? undefined : base;
}

export function mediaTypeMatcher(patterns: readonly string[]): (contentType: string | undefined) => boolean {
  if (patterns.length === 0) return () => false;
  const exact = new Set<string>();
  const regexes: RegExp[] = [];
  for (const pattern of patterns) {
    const p = pattern.trim().toLowerCase();
    if (p.includes('*')) regexes.push(new RegExp('^' + p.split('*').map(escapeRegExp).join('[^;]*') + '$'));
    else exact.add(p);
  }
  return (contentType) => {
    const base = baseMediaType(contentType);
    if (base === undefined) return false;
    return exact.has(base) || regexes.some((r) => r.test(base));
  };
}

/** The last Accept header parsed: clients send the same one request after request. */
let lastAccept: string | undefined;
let lastAccepted: readonly string[] = [];

/** Media types listed in an Accept header, in order, without q-values. */
export function acceptedTypes(accept: string | undefined): readonly string[] {
  if (accept === undefined) return [];
  if (accept === lastAccept) return lastAccepted;
  const out: string[] = [];
  for (const part of accept.split(',')) {
    const base = baseMediaType(part);
    if (base !== undefined) out.push(base);
  }
  lastAccept = accept;
  lastAccepted = out;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
