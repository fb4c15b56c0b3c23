/**
 * VPC links: a `connectionId` names a pool of backend targets (from a load balancer target
 * group in the template, or a named pool in the gatehouse config). Requests go round-robin to
 * the targets that pass active health checks.
 * AWS docs: "Set up VPC links for REST APIs" / "Working with VPC links for HTTP APIs".
 */
import type { VpcLink } from '../../definitions/model.js';
import type { HttpClient } from '../../http/client.js';

interface TargetState {
  origin: string;
  healthy: boolean;
  successes: number;
  failures: number;
}

class TargetPool {
  readonly #targets: TargetState[];
  #next = 0;

  constructor(readonly link: VpcLink) {
    this.#targets = link.targets.map((origin) => ({ origin, healthy: true, successes: 0, failures: 0 }));
  }

  /** Next healthy target, or null when every target is down. */
  pick(): string | null {
    const count = this.#targets.length;
    for (let i = 0; i < count; i++) {
      const target = this.#targets[(this.#next + i) % count]!;
      if (target.healthy) {
        this.#next = (this.#next + i + 1) % count;
        return target.origin;
      }
    }
    return null;
  }

  async check(http: HttpClient): Promise<void> {
    const health = this.link.healthCheck;
    if (health === undefined) return;
    await Promise.all(
      this.#targets.map(async (target) => {
        let ok = false;
        try {
          const res = await http.request({ origin: target.origin, path: health.path, method: 'GET', headers: [], body: null, timeoutMs: 5_000 });
          ok = res.statusCode >= 200 && res.statusCode < 400;
        } catch {
          ok = false;
        }
        if (ok) {
          target.failures = 0;
          if (++target.successes >= health.healthyThreshold) target.healthy = true;
        } else {
          target.successes = 0;
          if (++target.failures >= health.unhealthyThreshold) target.healthy = false;
        }
      }),
    );
  }
}

export class VpcLinkRegistry {
  readonly #pools = new Map<string, TargetPool>();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(links: VpcLink[], http: HttpClient) {
    for (const link of links) {
      const pool = new TargetPool(link);
      this.#pools.set(link.id, pool);
      if (link.logicalId !== undefined) this.#pools.set(link.logicalId, pool);
      if (link.healthCheck !== undefined) {
        const timer = setInterval(() => void pool.check(http), link.healthCheck.intervalSeconds * 1000);
        timer.unref();
        this.#timers.push(timer);
      }
    }
  }

  has(connectionId: string): boolean {
    return this.#pools.has(connectionId);
  }

  /** An origin ('http://10.0.0.1:8080') for the link, or null when no target is healthy. */
  pick(connectionId: string): string | null {
    return this.#pools.get(connectionId)?.pick() ?? null;
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }
}
