import DataLoader from 'dataloader';

/**
 * A DataLoader that also answers synchronously for the keys it has already loaded. A page of 1000 nodes
 * loads its relations in one batch up front; its field resolvers then return 1000 values rather than 1000
 * promises, which graphql-js settles one by one at a cost well above the batch queries' (README, Performance).
 * A key that loaded as an error is not settled: `now` asks `load` again, which rejects as before.
 */
export class SettledLoader<K, V> extends DataLoader<K, V> {
  private readonly settled = new Map<K, V>();
  private readonly settle: (keys: readonly K[]) => Promise<(V | Error)[]>;
  /** keys that loadAll calls of the same tick asked for, and the promise of their one batch */
  private queued: { keys: Set<K>; loaded: Promise<void> } | null = null;

  constructor(batch: (keys: readonly K[]) => Promise<(V | Error)[]>) {
    const settle = async (keys: readonly K[]) => {
      const values = await batch(keys);
      keys.forEach((key, i) => {
        const value = values[i]!;
        if (!(value instanceof Error)) this.settled.set(key, value);
      });
      return values;
    };
    super(settle);
    this.settle = settle;
  }

  /**
   * Loads the keys not loaded yet, for `now` to answer: a page's 1000 keys without the promise and cache
   * entry DataLoader makes for each (0.3-0.5 ms a page). Calls made in the same tick (the pages of a query's
   * nested lists) share one batch, scheduled as DataLoader schedules its own.
   */
  loadAll(keys: readonly K[]): Promise<void> {
    const missing = keys.filter((key) => !this.settled.has(key));
    if (missing.length === 0) return Promise.resolve();
    if (!this.queued) {
      const batch = new Set<K>();
      const afterPromiseJobs = new Promise<void>((resolve) => Promise.resolve().then(() => process.nextTick(resolve)));
      const loaded = afterPromiseJobs.then(async () => {
        this.queued = null;
        await this.settle([...batch]);
      });
      this.queued = { keys: batch, loaded };
    }
    for (const key of missing) this.queued.keys.add(key);
    return this.queued.loaded;
  }

  /** The value if this loader has loaded it, else `load(key)`. */
  now(key: K): V | Promise<V> {
    return this.settled.has(key) ? this.settled.get(key)! : this.load(key);
  }

  override prime(key: K, value: V | Error | PromiseLike<V>) {
    if (!this.settled.has(key) && !(value instanceof Error) && !isPromiseLike(value)) this.settled.set(key, value);
    return super.prime(key, value);
  }

  override clear(key: K) {
    this.settled.delete(key);
    return super.clear(key);
  }

  override clearAll() {
    this.settled.clear();
    return super.clearAll();
  }
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';
