import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SettledLoader } from '../graphql/loaders/settled-loader.js';
import { selectedFields, selectsOnlyId } from '../graphql/selection.js';

describe('SettledLoader', () => {
  const squares = () => {
    const batches: number[][] = [];
    const loader = new SettledLoader<number, number>(async (keys) => {
      batches.push([...keys]);
      return keys.map((k) => k * k);
    });
    return { loader, batches };
  };

  it('answers a key it has loaded with the value itself, one it has not with a promise', async () => {
    const { loader, batches } = squares();
    const pending = loader.now(3);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe(9);
    await loader.loadMany([4, 5]);
    expect(loader.now(3)).toBe(9);
    expect(loader.now(4)).toBe(16);
    expect(batches).toEqual([[3], [4, 5]]);
  });

  it('loads all the keys it has not loaded yet in one batch, each once, for now to answer', async () => {
    const { loader, batches } = squares();
    await loader.load(2);
    await loader.loadAll([2, 3, 3, 4]);
    expect([2, 3, 4].map((k) => loader.now(k))).toEqual([4, 9, 16]);
    await loader.loadAll([3, 4]);
    expect(batches).toEqual([[2], [3, 4]]);
    // calls of the same tick (several pages' relations) share one batch
    await Promise.all([loader.loadAll([5, 6]), loader.loadAll([6, 7])]);
    expect(batches.at(-1)).toEqual([5, 6, 7]);
    const failing = new SettledLoader<number, number>(async (keys) => keys.map((k) => (k < 0 ? new Error('no') : k)));
    await failing.loadAll([-1, 1]);
    expect(failing.now(1)).toBe(1);
    await expect(failing.now(-1)).rejects.toThrow('no');
  });

  it('does not settle a key that loaded as an error: reading it again rejects again', async () => {
    const loader = new SettledLoader<number, number>(async (keys) =>
      keys.map((k) => (k < 0 ? new Error(`no ${k}`) : k)),
    );
    await expect(loader.load(-1)).rejects.toThrow('no -1');
    expect(loader.now(2)).toBeInstanceOf(Promise);
    await loader.load(2);
    expect(loader.now(2)).toBe(2);
    await expect(loader.now(-1)).rejects.toThrow('no -1');
  });

  it('answers a primed key without loading it, and keeps what it has (as DataLoader does)', async () => {
    const { loader, batches } = squares();
    loader.prime(3, 10);
    expect(loader.now(3)).toBe(10);
    await loader.loadAll([3, 4]);
    expect(batches).toEqual([[4]]);
    loader.prime(4, 0);
    expect(loader.now(4)).toBe(16);
    loader.prime(5, new Error('no'));
    const failed = loader.now(5);
    expect(failed).toBeInstanceOf(Promise);
    await expect(failed).rejects.toThrow('no');
  });

  it('forgets what is cleared, so that the next read loads again', async () => {
    const { loader, batches } = squares();
    await loader.loadMany([1, 2]);
    loader.clear(1);
    expect(loader.now(1)).toBeInstanceOf(Promise);
    expect(loader.now(2)).toBe(4);
    loader.clearAll();
    expect(await loader.now(2)).toBe(4);
    expect(batches).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});

describe('selectedFields', () => {
  const schema = buildSchema(`
    type Query { page: Page }
    type Page { nodes: [Node!]! }
    type Node { id: ID! subject: Subject code: Int identifiers: [Int!] }
    type Subject { id: ID! name: String }
  `);
  async function selectionOf(query: string, subfield?: string) {
    let seen: Set<string> | undefined;
    const page = {
      nodes: (_: unknown, __: unknown, info: Parameters<typeof selectedFields>[0]) => {
        seen = selectedFields(info, subfield);
        return [];
      },
    };
    const result = await graphql({ schema, source: query, rootValue: { page } });
    expect(result.errors).toBeUndefined();
    return [...seen!].sort();
  }

  it('lists the fields under the resolved field, by name, not alias', async () => {
    expect(await selectionOf('{ page { nodes { id who: subject { id } } } }')).toEqual(['id', 'subject']);
  });

  it('follows fragment spreads and inline fragments, nested', async () => {
    const query = `{ page { nodes { id ...More } } }
      fragment More on Node { ... on Node { code ...Ids } }
      fragment Ids on Node { identifiers }`;
    expect(await selectionOf(query)).toEqual(['code', 'id', 'identifiers']);
  });

  it('merges the selections of one field asked for twice', async () => {
    expect(await selectionOf('{ page { nodes { id } nodes { code } } }')).toEqual(['code', 'id']);
  });

  it('lists the fields under a subfield, all its occurrences and fragments merged', async () => {
    const query = `{ page { nodes { id subject { id } ...Named } } }
      fragment Named on Node { who: subject { ... on Subject { name } } }`;
    expect(await selectionOf(query, 'subject')).toEqual(['id', 'name']);
    expect(await selectionOf('{ page { nodes { id } } }', 'subject')).toEqual([]);
  });
});

describe('selectsOnlyId', () => {
  it('holds for the id and the type name alone', () => {
    expect(selectsOnlyId(new Set(['id', '__typename']))).toBe(true);
    expect(selectsOnlyId(new Set(['id', 'name']))).toBe(false);
  });
});
