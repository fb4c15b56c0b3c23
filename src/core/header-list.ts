/**
 * HTTP headers as API Gateway sees them: the client's spelling kept, lookups case-insensitive,
 * repeated names kept in order (proxy events expose both `headers` and `multiValueHeaders`).
 */
interface Entry {
  /** The spelling first seen. */
  name: string;
  values: string[];
}

export class HeaderList {
  /** Lower-case name -> entry; Map order is arrival order. */
  readonly #entries = new Map<string, Entry>();

  static fromRaw(rawHeaders: readonly string[]): HeaderList {
    const list = new HeaderList();
    for (let i = 0; i < rawHeaders.length; i += 2) list.append(rawHeaders[i]!, rawHeaders[i + 1]!);
    return list;
  }

  append(name: string, value: string): void {
    const lower = name.toLowerCase();
    const entry = this.#entries.get(lower);
    if (entry === undefined) this.#entries.set(lower, { name, values: [value] });
    else entry.values.push(value);
  }

  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    this.#entries.delete(lower);
    this.#entries.set(lower, { name, values: [value] });
  }

  delete(name: string): void {
    this.#entries.delete(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.#entries.has(name.toLowerCase());
  }

  /** The last value of a repeated header, as API Gateway's single-value `headers` map holds it. */
  get(name: string): string | undefined {
    const values = this.#entries.get(name.toLowerCase())?.values;
    return values === undefined ? undefined : values[values.length - 1];
  }

  getAll(name: string): string[] | undefined {
    return this.#entries.get(name.toLowerCase())?.values;
  }

  /** Values joined by ", " (RFC 9110 field combination, what HTTP API payload 2.0 delivers). */
  getJoined(name: string): string | undefined {
    return this.getAll(name)?.join(', ');
  }

  get size(): number {
    return this.#entries.size;
  }

  /** [name as sent, values] pairs in arrival order. */
  *entries(): IterableIterator<[string, string[]]> {
    for (const entry of this.#entries.values()) yield [entry.name, entry.values];
  }

  /** name -> last value, names as sent. */
  toSingleValueObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { name, values } of this.#entries.values()) out[name] = values[values.length - 1]!;
    return out;
  }

  toMultiValueObject(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const { name, values } of this.#entries.values()) out[name] = values.slice();
    return out;
  }

  /** Flat [name, value, name, value, ...] for node:http's writeHead. */
  toFlatArray(): string[] {
    const flat: string[] = [];
    for (const { name, values } of this.#entries.values()) for (const value of values) flat.push(name, value);
    return flat;
  }
}
