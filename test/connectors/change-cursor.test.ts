import { describe, expect, it } from 'vitest';
import { asChangeCursor, bodyDedupeKey, changesSince, inChangeOrder } from '../../src-main/connectors/http.ts';

type Item = { id: string; updated_at?: string | null; created_at?: string };
const stamps = (i: Item) => ({ id: i.id, changedAt: i.updated_at, createdAt: i.created_at });
const ids = (items: Item[]) => items.map((i) => i.id);

describe('changesSince', () => {
  const a: Item = { id: 'a', created_at: '2026-06-17T10:00:00Z', updated_at: '2026-06-17T10:00:00Z' };
  const b: Item = { id: 'b', created_at: '2026-06-17T09:00:00Z', updated_at: '2026-06-17T11:00:00Z' };

  it('reports nothing on the first poll, only where to start', () => {
    const first = changesSince([a, b], undefined, stamps);
    expect(first).toEqual({ created: [], updated: [], cursor: { since: '2026-06-17T11:00:00Z', seen: ['b'] } });
  });

  it.each([
    ['nothing changed', [a, b], [], []],
    ['a new item', [a, b, { id: 'c', created_at: '2026-06-17T12:00:00Z', updated_at: '2026-06-17T12:00:00Z' }], ['c'], []],
    ['an item changed', [{ ...a, updated_at: '2026-06-17T12:00:00Z' }, b], [], ['a']],
    [
      'a change in the same second as the newest seen',
      [a, b, { id: 'd', created_at: '2026-06-17T11:00:00Z', updated_at: '2026-06-17T11:00:00.000Z' }],
      ['d'],
      [],
    ],
    ['an item without a change time', [a, b, { id: 'e', updated_at: null }], [], []],
  ])('%s', (_what, items, created, updated) => {
    const { cursor } = changesSince([a, b], undefined, stamps);
    const next = changesSince(items as Item[], cursor, stamps);
    expect(ids(next.created)).toEqual(created);
    expect(ids(next.updated)).toEqual(updated);
    // From the new cursor, the same list holds nothing new.
    expect(changesSince(items as Item[], next.cursor, stamps)).toMatchObject({ created: [], updated: [] });
  });

  it('after an empty first poll, everything that appears is new', () => {
    const { cursor } = changesSince([], undefined, stamps);
    expect(cursor).toEqual({ since: null, seen: [] });
    expect(ids(changesSince([a, b], cursor, stamps).created)).toEqual(['a', 'b']);
  });

  it('reads a stored cursor back, and ignores what is not one', () => {
    expect(asChangeCursor({ since: '2026-06-17T11:00:00Z', seen: ['b', 3] })).toEqual({ since: '2026-06-17T11:00:00Z', seen: ['b'] });
    expect(asChangeCursor('2026-06-17')).toBeUndefined();
    expect(asChangeCursor({ since: 5, seen: [] })).toBeUndefined();
  });
});

describe('webhook helpers', () => {
  it('a body hashes the same whatever its key order, and differently when a value differs', () => {
    expect(bodyDedupeKey({ a: 1, b: { c: 2, d: 3 } })).toBe(bodyDedupeKey({ b: { d: 3, c: 2 }, a: 1 }));
    expect(bodyDedupeKey({ a: 1 })).not.toBe(bodyDedupeKey({ a: 2 }));
  });

  it('orders polled events by the time of their change', () => {
    const event = (id: string, timestamp: string) => ({ id, payload: { timestamp } });
    const sorted = inChangeOrder([
      event('late', '2026-06-17T12:00:00Z'),
      event('early', '2026-06-17T10:00:00Z'),
      event('same', '2026-06-17T12:00:00Z'),
    ]);
    expect(sorted.map((e) => e.id)).toEqual(['early', 'late', 'same']);
  });
});
