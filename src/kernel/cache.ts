/**
 * In-process caches of what the hot path reads (credentials, principals, ACLs, organization
 * state), kept correct by invalidation rather than by short lifetimes.
 *
 * - Every entry carries tags naming the rows it was read from (`org:<id>`, `user:<id>`,
 *   `session:<id>`, `client:<id>`). A change invalidates its tags; `all` empties every cache.
 *   The database says what changed (triggers, docs/performance.md), on this instance at
 *   commit and on every other through PostgreSQL LISTEN/NOTIFY.
 * - While the change feed is down, nothing is served from or stored in a cache: every read
 *   goes to the database, so a missed notification can never leave a stale entry behind.
 *   When it is back, the caches start empty.
 * - A read that overlapped an invalidation of one of its tags is not stored: it may have seen
 *   the state from before the change.
 * - Entries also expire after a while, and each cache holds a bounded number (oldest first out).
 */

export interface CacheStats {
  hits: number;
  misses: number;
  /** Reads while the caches were bypassed (the change feed was down). */
  bypassed: number;
  size: number;
}

export interface CacheOptions {
  maxEntries: number;
  ttlMs: number;
}

interface Entry<V> {
  value: V;
  tags: readonly string[];
  expiresAt: number;
}

/** The caches of one process, and the invalidations they share. */
export class Caches {
  private readonly caches: Cache<unknown>[] = [];
  /** Counts invalidations; a read remembers where the count was when it began. */
  private sequence = 0;
  /** The last invalidation of each recently invalidated tag. */
  private readonly invalidatedAt = new Map<string, number>();
  /** Invalidations at or before this one are no longer tracked per tag (the map was pruned). */
  private floor = 0;
  private feedUp = false;

  constructor(
    readonly options: CacheOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  cache<V>(name: string): Cache<V> {
    const cache = new Cache<V>(name, this, this.options);
    this.caches.push(cache as Cache<unknown>);
    return cache;
  }

  /** Whether entries may be served and stored: only while the change feed is up. */
  get enabled(): boolean {
    return this.feedUp && this.options.maxEntries > 0;
  }

  get changeFeedUp(): boolean {
    return this.feedUp;
  }

  /** The change feed went down (bypass and forget everything) or came back (start afresh). */
  setLive(live: boolean): void {
    this.feedUp = live;
    this.invalidate(['all']);
  }

  invalidate(tags: readonly string[]): void {
    if (!tags.length) return;
    this.sequence++;
    if (tags.includes('all')) {
      this.floor = this.sequence;
      this.invalidatedAt.clear();
      for (const cache of this.caches) cache.clear();
      return;
    }
    if (this.invalidatedAt.size > 10_000) {
      this.floor = this.sequence;
      this.invalidatedAt.clear();
    }
    for (const tag of tags) {
      this.invalidatedAt.set(tag, this.sequence);
      for (const cache of this.caches) cache.drop(tag);
    }
    for (const cache of this.caches) cache.forgetReads();
  }

  /** Where the invalidations are, for a read about to begin. */
  mark(): number {
    return this.sequence;
  }

  /** Whether anything a read began at `mark` depends on has been invalidated since. */
  changedSince(mark: number, tags: readonly string[]): boolean {
    if (mark < this.floor) return true;
    return tags.some((tag) => (this.invalidatedAt.get(tag) ?? 0) > mark);
  }

  now(): number {
    return this.clock();
  }

  stats(): Record<string, CacheStats> {
    return Object.fromEntries(this.caches.map((cache) => [cache.name, cache.stats()]));
  }
}

export class Cache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly keysByTag = new Map<string, Set<string>>();
  /**
   * Reads in flight: concurrent misses of one key share one read, unless an invalidation came
   * in between (a read begun before a revocation must not answer a request made after it).
   */
  private readonly loading = new Map<string, Promise<V | undefined>>();
  private hits = 0;
  private misses = 0;
  private bypassed = 0;

  constructor(
    readonly name: string,
    private readonly caches: Caches,
    private readonly options: CacheOptions,
  ) {}

  /**
   * The value under `key`, read through `load` when it is not here. `load` returns the value
   * and the tags it was read from, or undefined (not found: never stored, so unknown
   * credentials always reach the database, and cannot push out the entries of real ones).
   */
  async get(key: string, load: () => Promise<{ value: V; tags: readonly string[] } | undefined>): Promise<V | undefined> {
    if (!this.caches.enabled) {
      this.bypassed++;
      return (await load())?.value;
    }
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.caches.now()) {
      this.hits++;
      return entry.value;
    }
    this.misses++;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const reading: Promise<V | undefined> = this.read(key, load).finally(() => {
      if (this.loading.get(key) === reading) this.loading.delete(key);
    });
    this.loading.set(key, reading);
    return reading;
  }

  /** Reads in flight are not shared any more (an invalidation: what they read may be stale). */
  forgetReads(): void {
    this.loading.clear();
  }

  private async read(key: string, load: () => Promise<{ value: V; tags: readonly string[] } | undefined>): Promise<V | undefined> {
    const mark = this.caches.mark();
    const loaded = await load();
    if (loaded && this.caches.enabled && !this.caches.changedSince(mark, loaded.tags)) this.set(key, loaded.value, loaded.tags);
    return loaded?.value;
  }

  /** Replaces a stored value in place (e.g. a last-use time this instance just wrote), keeping its tags. */
  update(key: string, change: (value: V) => V): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = change(entry.value);
  }

  private set(key: string, value: V, tags: readonly string[]): void {
    this.remove(key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.entries.set(key, { value, tags, expiresAt: this.caches.now() + this.options.ttlMs });
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag) ?? new Set();
      keys.add(key);
      this.keysByTag.set(tag, keys);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }

  drop(tag: string): void {
    const keys = this.keysByTag.get(tag);
    if (!keys) return;
    for (const key of [...keys]) this.remove(key);
  }

  clear(): void {
    this.entries.clear();
    this.keysByTag.clear();
    this.loading.clear();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, bypassed: this.bypassed, size: this.entries.size };
  }
}
