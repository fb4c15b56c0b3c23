/**
 * HTTP headers as API Gateway sees them: the client's spelling kept, lookups case-insensitive,
 * repeated names kept in order (proxy events expose both `headers` and `multiValueHeaders`).
 */
export class HeaderList {
  /** Name as first seen -> every value in arrival order. */
  readonly #entries = new Map<string, string[]>();
  /** Lower-case name -> the spelling used as key in #entries. */
  readonly #spelling = new Map<string, string>();

  static fromRaw(rawHeaders: readonly string[]): HeaderList {
    const list = new HeaderList();
    for (let i = 0; i < rawHeaders.length; i += 2) list.append(rawHeaders[i]!, rawHeaders[i + 1]!);
    return list;
  }

  append(name: string, value: string): void {
    const lower = name.toLowerCase();
    const key = this.#spelling.get(lower);
    if (key === undefined) {
      this.#spelling.set(lower, name);
      this.#entries.set(name, [value]);
    } else {
      this.#entries.get(key)!.push(value);
    }
  }

  set(name: string, value: string): void {
    this.delete(name);
    this.append(name, value);
  }

  delete(name: string): void {
    const lower = name.toLowerCase();
    const key = this.#spelling.get(lower);
    if (key === undefined) return;
    this.#spelling.delete(lower);
    this.#entries.delete(key);
  }

  has(name: string): boolean {
    return this.#spelling.has(name.toLowerCase());
  }

  /** The last value of a repeated header, as API Gateway's single-value `headers` map holds it. */
  get(name: string): string | undefined {
    const values = this.getAll(name);
    return values === undefined ? undefined : values[values.length - 1];
  }

  getAll(name: string): string[] | undefined {
    const key = this.#spelling.get(name.toLowerCase());
    return key === undefined ? undefined : this.#entries.get(key);
  }

  /** Values joined by ", " (RFC 9110 field combination, what HTTP API payload 2.0 delivers). */
  getJoined(name: string): string | undefined {
    return this.getAll(name)?.join(', ');
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): IterableIterator<[string, string[]]> {
    return this.#entries.entries();
  }

  /** name -> last value, names as sent. */
  toSingleValueObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, values] of this.#entries) out[name] = values[values.length - 1]!;
    return out;
  }

  toMultiValueObject(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, values] of this.#entries) out[name] = values.slice();
    return out;
  }

  clone(): HeaderList {
    const copy = new HeaderList();
    for (const [name, values] of this.#entries) for (const value of values) copy.append(name, value);
    return copy;
  }
}
