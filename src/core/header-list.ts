/**
 * HTTP headers as API Gateway sees them: the client's spelling kept, lookups case-insensitive,
 * repeated names kept in order (proxy events expose both `headers` and `multiValueHeaders`).
 *
 * Stored flat, as node:http hands them over ([name, value, name, value, ...]): a request has a
 * handful of headers, so a scan beats a Map of entries and costs no allocation per header. A list
 * made from a request's raw headers shares that array until it is first changed.
 */
export class HeaderList {
  /** [name as sent, value, ...] in arrival order. */
  #flat: string[];
  /** Lower-case names, one per pair; built on the first lookup. */
  #lower: string[] | null = null;
  /** True while #flat is borrowed (node's rawHeaders) and must be copied before a change. */
  #borrowed: boolean;

  constructor() {
    this.#flat = [];
    this.#borrowed = false;
  }

  static fromRaw(rawHeaders: string[]): HeaderList {
    const list = new HeaderList();
    list.#flat = rawHeaders;
    list.#borrowed = true;
    return list;
  }

  #lowerNames(): string[] {
    if (this.#lower === null) {
      const flat = this.#flat;
      const lower = new Array<string>(flat.length >> 1);
      for (let i = 0; i < flat.length; i += 2) lower[i >> 1] = flat[i]!.toLowerCase();
      this.#lower = lower;
    }
    return this.#lower;
  }

  #own(): string[] {
    if (this.#borrowed) {
      this.#flat = this.#flat.slice();
      this.#borrowed = false;
    }
    return this.#flat;
  }

  append(name: string, value: string): void {
    this.#own().push(name, value);
    this.#lower?.push(name.toLowerCase());
  }

  set(name: string, value: string): void {
    this.delete(name);
    this.append(name, value);
  }

  delete(name: string): void {
    const lower = this.#lowerNames();
    const wanted = name.toLowerCase();
    if (!lower.includes(wanted)) return;
    const flat = this.#own();
    let kept = 0;
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] === wanted) continue;
      flat[2 * kept] = flat[2 * i]!;
      flat[2 * kept + 1] = flat[2 * i + 1]!;
      lower[kept++] = lower[i]!;
    }
    flat.length = 2 * kept;
    lower.length = kept;
  }

  has(name: string): boolean {
    return this.#lowerNames().includes(name.toLowerCase());
  }

  /** The last value of a repeated header, as API Gateway's single-value `headers` map holds it. */
  get(name: string): string | undefined {
    const lower = this.#lowerNames();
    const wanted = name.toLowerCase();
    for (let i = lower.length - 1; i >= 0; i--) if (lower[i] === wanted) return this.#flat[2 * i + 1];
    return undefined;
  }

  getAll(name: string): string[] | undefined {
    const lower = this.#lowerNames();
    const wanted = name.toLowerCase();
    let values: string[] | undefined;
    for (let i = 0; i < lower.length; i++) if (lower[i] === wanted) (values ??= []).push(this.#flat[2 * i + 1]!);
    return values;
  }

  /** Values joined by ", " (RFC 9110 field combination, what HTTP API payload 2.0 delivers). */
  getJoined(name: string): string | undefined {
    return this.getAll(name)?.join(', ');
  }

  /** Distinct header names. */
  get size(): number {
    return this.#lowerNames().length === 0 ? 0 : new Set(this.#lower).size;
  }

  /** Whether some name occurs more than once (a few headers: compared pairwise, nothing allocated). */
  #hasRepeats(): boolean {
    const lower = this.#lowerNames();
    if (lower.length > 32) return new Set(lower).size !== lower.length;
    for (let i = 1; i < lower.length; i++) for (let j = 0; j < i; j++) if (lower[i] === lower[j]) return true;
    return false;
  }

  /** [name as first sent, values] pairs, in order of each name's first arrival. */
  *entries(): IterableIterator<[string, string[]]> {
    yield* this.#grouped();
  }

  #grouped(): [string, string[]][] {
    const lower = this.#lowerNames();
    const flat = this.#flat;
    const groups: [string, string[]][] = [];
    const byName = new Map<string, string[]>();
    for (let i = 0; i < lower.length; i++) {
      const values = byName.get(lower[i]!);
      if (values !== undefined) {
        values.push(flat[2 * i + 1]!);
        continue;
      }
      const fresh = [flat[2 * i + 1]!];
      byName.set(lower[i]!, fresh);
      groups.push([flat[2 * i]!, fresh]);
    }
    return groups;
  }

  /** name -> last value, names as first sent. */
  toSingleValueObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, values] of this.#grouped()) out[name] = values[values.length - 1]!;
    return out;
  }

  toMultiValueObject(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, values] of this.#grouped()) out[name] = values;
    return out;
  }

  /** Flat [name, value, name, value, ...] for node:http's writeHead, repeated names together. */
  toFlatArray(): string[] {
    if (!this.#hasRepeats()) return this.#flat.slice();
    const flat: string[] = [];
    for (const [name, values] of this.#grouped()) for (const value of values) flat.push(name, value);
    return flat;
  }
}
