/**
 * One Redis connection shared by the gateway's state stores (throttles, quotas, authorizer and
 * response caches), through node-redis. Commands never queue while Redis is away: they fail at once,
 * and each store decides what a failure means (the protect state fails open). Availability changes
 * are logged once per transition, not once per request.
 * Redis docs: "Scripting with Lua" (EVALSHA, NOSCRIPT after a restart or SCRIPT FLUSH).
 */
import { createHash } from 'node:crypto';
import type { createClient } from 'redis';
import type { Logger } from '../core/log.js';

/** A Lua script run by its SHA1, sent in full only when Redis does not know it yet. */
export interface LuaScript {
  source: string;
  sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export interface RedisOptions {
  url: string;
  log: Logger;
  /** Prepended to every key, so several gatehouse deployments can share one Redis. */
  keyPrefix?: string;
  /** A command slower than this fails (and the caller falls back) instead of holding requests. */
  commandTimeoutMs?: number;
  /** How long start-up waits for a first connection before serving without Redis. */
  connectTimeoutMs?: number;
}

export type RedisReply = string | number | null | RedisReply[];

export class RedisConnection {
  readonly url: string;
  readonly #client: ReturnType<typeof createClient>;
  readonly #log: Logger;
  readonly #prefix: string;
  #up = false;
  #reportedDown = false;
  #closed = false;
  readonly #failures = new Set<string>();

  private constructor(options: RedisOptions, redis: { createClient: typeof createClient }) {
    this.url = options.url;
    this.#log = options.log;
    this.#prefix = options.keyPrefix ?? 'gatehouse:';
    this.#client = redis.createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs ?? 1_000 },
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 2_000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
      },
    });
    this.#client.on('ready', () => {
      this.#up = true;
      if (this.#reportedDown) this.#log.info(`Redis ${this.displayUrl} is reachable again: throttles, quotas and caches are shared again`);
      this.#reportedDown = false;
    });
    this.#client.on('error', (error: Error) => this.#down(error));
    this.#client.on('end', () => {
      this.#up = false;
    });
  }

  /** Connects, waiting at most the connect timeout; an unreachable Redis is logged and retried in the background. */
  static async open(options: RedisOptions): Promise<RedisConnection> {
    const problem = redisUrlProblem(options.url);
    if (problem !== null) throw new Error(problem);
    // node-redis costs ~100 ms of start-up: it is loaded only when a Redis URL is given.
    const connection = new RedisConnection(options, await import('redis'));
    const connecting = connection.#client.connect().then(
      () => undefined,
      (error: unknown) => connection.#down(error as Error),
    );
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.connectTimeoutMs ?? 2_000).unref());
    await Promise.race([connecting, timeout]);
    return connection;
  }

  /** The URL without its password, for logs. */
  get displayUrl(): string {
    return redacted(this.url);
  }

  get available(): boolean {
    return this.#up;
  }

  key(name: string): string {
    return this.#prefix + name;
  }

  /** Runs a script atomically on `keys` (already prefixed with `key()`). */
  async run(script: LuaScript, keys: string[], args: (string | number)[]): Promise<RedisReply> {
    const options = { keys, arguments: args.map(String) };
    try {
      return (await this.#client.evalSha(script.sha, options)) as RedisReply;
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return (await this.#client.eval(script.source, options)) as RedisReply;
    }
  }

  /** The client for plain commands (GET, SET, HMGET, ...); keys must come from `key()`. */
  get client(): ReturnType<typeof createClient> {
    return this.#client;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.isOpen) await this.#client.close();
    else this.#client.destroy();
  }

  /** Reports a lost or refused connection once, until it is back. */
  #down(error: Error): void {
    this.#up = false;
    if (this.#reportedDown || this.#closed) return;
    this.#reportedDown = true;
    this.#log.error(
      `Redis ${this.displayUrl} is unreachable (${error.message || error.name}): ` +
        'throttles and quotas are not enforced (fail open) and caches miss until it is back; retrying',
    );
  }

  /** Logs a failed command of a reachable Redis (a timeout, a script error) once per kind. */
  commandFailed(what: string, error: unknown): void {
    if (!this.#up || this.#closed) return;
    const message = (error as Error).message ?? String(error);
    const kind = `${what}: ${message}`;
    if (this.#failures.has(kind)) return;
    if (this.#failures.size > 100) this.#failures.clear();
    this.#failures.add(kind);
    this.#log.error(`Redis ${this.displayUrl}: ${kind} (failing open)`);
  }

}

/** What is wrong with a Redis URL, or null. */
export function redisUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL (expected redis://host:port or rediss://host:port)`;
  }
  return parsed.protocol === 'redis:' || parsed.protocol === 'rediss:' ? null : `${JSON.stringify(url)} must start with redis:// or rediss://`;
}

/** The URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
