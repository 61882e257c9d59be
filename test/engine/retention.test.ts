import { describe, expect, it } from 'vitest';
import { tempApp } from '../helpers.ts';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000).toISOString();

describe('event retention', () => {
  it('deletes settled events older than the window, in batches, and keeps pending and recent ones', async () => {
    const app = tempApp({ now: () => NOW });
    const add = (receivedAt: string, status: 'processed' | 'pending' | 'rejected', dedupeKey?: string) =>
      app.inbox.add({ source: 'kanvo', event: 'kanvo:record.created', payload: { n: 1 }, receivedAt, status, dedupeKey }) as number;
    app.db.transaction(() => {
      for (let i = 0; i < 4500; i++) add(daysAgo(45), 'processed');
    })();
    const oldRejected = add(daysAgo(40), 'rejected');
    const oldPending = add(daysAgo(40), 'pending');
    const recent = add(daysAgo(10), 'processed');

    expect(await app.retention.prune()).toBe(4501);
    expect(app.inbox.get(oldRejected)).toBeUndefined();
    expect(app.inbox.get(oldPending)?.status).toBe('pending');
    expect(app.inbox.get(recent)?.status).toBe('processed');
    // A shorter window reaches further.
    app.settings.set('inbox.keepDays', 7);
    expect(await app.retention.prune()).toBe(1);
    expect(app.inbox.get(recent)).toBeUndefined();
  });

  it('deduplicates within the window only: a delivery repeated after it counts as new', async () => {
    const app = tempApp({ now: () => NOW });
    const deliver = (receivedAt: string) =>
      app.inbox.addOrRecordDuplicate({
        source: 'kanbert',
        event: 'kanbert:task.created',
        payload: {},
        receivedAt,
        dedupeKey: 'delivery:42',
      });
    const first = deliver(daysAgo(31));
    expect(deliver(daysAgo(31)).duplicateOf).toBe(first.id);
    app.inbox.markDone(first.id, 'processed', daysAgo(31));
    expect(await app.retention.prune()).toBe(2);
    expect(deliver(daysAgo(0)).duplicateOf).toBeUndefined();
  });
});
