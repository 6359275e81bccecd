/**
 * Hour-window counters of requests per budget, shared by every instance. Two kinds:
 * - Redis (TESSERA_REDIS_URL): one atomic INCR per request, exact;
 * - the database otherwise, without a write per request: each instance counts locally and,
 *   every `syncMs`, adds its new hits to each budget it has seen this hour and reads back the
 *   total (one statement per budget and sync). Between two
 *   syncs an instance does not see the others' requests, so a budget can be overshot by what
 *   the other instances admit in one sync interval (docs/ratelimits.md).
 * If Redis stops answering, counting goes on locally in the instance (never a 5xx) and a
 * warning is logged; it goes back to Redis when Redis answers.
 */
import type { createClient } from 'redis';
import type { Db } from '../../db/db.ts';
import type { Logger } from '../../kernel/log.ts';
import * as store from './store.ts';

export interface Counters {
  /** Counts one request against `budget` in the window starting at `windowStart`; the total so far. */
  hit(budget: string, windowStart: Date): Promise<number>;
  close(): Promise<void>;
}

/** In-process counts: the database counters' local half, and Redis's fallback. */
class LocalCounts {
  private readonly counts = new Map<string, { total: number; pending: number; budget: string; windowStart: Date }>();

  hit(budget: string, windowStart: Date) {
    const key = `${budget} ${windowStart.getTime()}`;
    const entry = this.counts.get(key) ?? { total: 0, pending: 0, budget, windowStart };
    entry.total += 1;
    entry.pending += 1;
    this.counts.set(key, entry);
    return entry;
  }

  /** Budgets of the current windows (with hits to share, or a total to learn); ended windows are forgotten. */
  live(now: Date) {
    const out = [];
    for (const [key, entry] of this.counts) {
      if (entry.windowStart.getTime() + 3600_000 < now.getTime()) this.counts.delete(key);
      else out.push(entry);
    }
    return out;
  }
}

export class DatabaseCounters implements Counters {
  private readonly local = new LocalCounts();
  private readonly timer: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private purgedHour = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Pick<Logger, 'warn'>,
    syncMs: number,
  ) {
    this.timer = setInterval(() => void this.sync(), syncMs);
    this.timer.unref();
  }

  async hit(budget: string, windowStart: Date): Promise<number> {
    return this.local.hit(budget, windowStart).total;
  }

  /** Adds this instance's pending hits to the shared rows and learns the totals. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (const entry of this.local.live(new Date())) {
          const pending = entry.pending;
          entry.pending = 0;
          try {
            entry.total = Math.max(entry.total, await store.addHits(this.db, entry.budget, entry.windowStart, pending));
          } catch (error) {
            entry.pending += pending; // counted again at the next sync
            this.log.warn({ err: error }, 'sharing rate-limit counts failed; counting locally until the database answers');
            return;
          }
        }
        // Rows of ended windows are removed once an hour per instance, not at every sync.
        const hour = Math.floor(Date.now() / 3600_000);
        if (hour !== this.purgedHour) {
          this.purgedHour = hour;
          await store.purgeBefore(this.db, new Date((hour - 1) * 3600_000)).catch(() => 0);
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sync();
  }
}

const incrementScript = `local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return c`;

export class RedisCounters implements Counters {
  private readonly fallback = new LocalCounts();
  private degraded = false;

  private constructor(
    private readonly client: ReturnType<typeof createClient>,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly namespace: string,
  ) {}

  /** `namespace` keeps installations that share one Redis apart (the server passes its issuer). */
  static async connect(url: string, log: Pick<Logger, 'warn'>, namespace = 'tessera'): Promise<RedisCounters> {
    // Loaded only when Redis is configured: the client library alone takes about 10 MB.
    const { createClient } = await import('redis');
    const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(retries * 200, 2000) } });
    client.on('error', () => undefined); // reported once per outage by hit()
    await client.connect();
    return new RedisCounters(client, log, namespace);
  }

  async hit(budget: string, windowStart: Date): Promise<number> {
    try {
      if (!this.client.isReady) throw new Error('Redis is not connected');
      const count = Number(
        await this.client.eval(incrementScript, { keys: [`tessera:rl:${this.namespace}:${budget}:${windowStart.getTime()}`], arguments: ['3700'] }),
      );
      if (this.degraded) {
        this.degraded = false;
        this.log.warn({}, 'Redis answers again: rate limits are shared across instances again');
      }
      return count;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.log.warn({ err: error }, 'Redis does not answer: rate limits are counted per instance until it is back');
      }
      return this.fallback.hit(budget, windowStart).total;
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => undefined);
  }
}
