import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../src-main/engine/queue.ts';

/** A worker whose runs finish when the test says so, recording what ran when. */
function controlled() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const worker = (runId: string) =>
    new Promise<void>((resolve) => {
      started.push(runId);
      finishers.set(runId, resolve);
    });
  const finish = async (runId: string) => {
    finishers.get(runId)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { started, worker, finish };
}

describe('run queue', () => {
  it('keeps to the per-workflow limit without holding up other workflows, in arrival order', async () => {
    const { started, worker, finish } = controlled();
    const queue = new InProcessQueue(worker, { concurrency: 3, perGroup: 1 });
    for (const id of ['a1', 'a2', 'a3']) queue.enqueue(id, 'A');
    queue.enqueue('b1', 'B');
    // One run of A at a time; B's run is not stuck behind A's queue.
    expect(started).toEqual(['a1', 'b1']);
    await finish('a1');
    expect(started).toEqual(['a1', 'b1', 'a2']);
    await finish('b1');
    await finish('a2');
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
    await finish('a3');
    await queue.idle();
  });

  it('keeps to the global limit across workflows, first come first served', async () => {
    const { started, worker, finish } = controlled();
    const queue = new InProcessQueue(worker, { concurrency: 2, perGroup: 2 });
    for (const id of ['a1', 'b1', 'c1', 'a2']) queue.enqueue(id, id[0]);
    expect(started).toEqual(['a1', 'b1']);
    await finish('b1');
    expect(started).toEqual(['a1', 'b1', 'c1']);
    await finish('a1');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    await finish('a2');
    await finish('c1');
    await queue.idle();
  });

  it('runs a run id once even when it is enqueued twice', async () => {
    const { started, worker, finish } = controlled();
    const queue = new InProcessQueue(worker, { concurrency: 4 });
    queue.enqueue('r1', 'A');
    queue.enqueue('r1', 'A');
    expect(started).toEqual(['r1']);
    await finish('r1');
    await queue.idle();
  });
});
