import DataLoader from 'dataloader';

/**
 * A DataLoader that also answers synchronously for the keys it has already loaded. A page of 1000 nodes
 * loads its relations in one batch up front; its field resolvers then return 1000 values rather than 1000
 * promises, which graphql-js settles one by one at a cost well above the batch queries' (README, Performance).
 * A key that loaded as an error is not settled: `now` asks `load` again, which rejects as before.
 */
export class SettledLoader<K, V> extends DataLoader<K, V> {
  private readonly settled = new Map<K, V>();

  constructor(batch: (keys: readonly K[]) => Promise<(V | Error)[]>) {
    super(async (keys) => {
      const values = await batch(keys);
      keys.forEach((key, i) => {
        const value = values[i]!;
        if (!(value instanceof Error)) this.settled.set(key, value);
      });
      return values;
    });
  }

  /** The value if this loader has loaded it, else `load(key)`. */
  now(key: K): V | Promise<V> {
    return this.settled.has(key) ? this.settled.get(key)! : this.load(key);
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
