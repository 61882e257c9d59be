import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CommitGroup } from '../../src-main/store/commit-group.ts';
import { openDatabase } from '../../src-main/store/db.ts';
import { tempDir } from '../helpers.ts';

function setup() {
  const file = join(tempDir(), 'pipewright.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE scratch (text TEXT)');
  const reader = new Database(file, { readonly: true });
  const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM scratch').get() as { n: number }).n;
  const insert = db.prepare('INSERT INTO scratch (text) VALUES (?)');
  return { db, reader, count, insert, group: new CommitGroup(db) };
}

describe('group commit', () => {
  it('acknowledges a durable write only once another connection can read it', async () => {
    const { count, insert, group, db, reader } = setup();
    const acked = group.writeDurably(() => insert.run('first').lastInsertRowid);
    expect(count()).toBe(0); // written, not yet committed
    expect(await acked).toBe(1);
    expect(count()).toBe(1);
    db.close();
    reader.close();
  });

  it('joins an open ordinary group and fsyncs the write-ahead log before acknowledging', async () => {
    const { count, insert, group, db, reader } = setup();
    group.begin();
    insert.run('journal row of a run');
    const acked = group.writeDurably(() => insert.run('webhook event'));
    expect(group.stats.fsyncs).toBe(0);
    await acked;
    expect(count()).toBe(2);
    expect(group.stats).toEqual({ commits: 1, fsyncs: 1 });
    // The connection itself stays at NORMAL: only durable groups pay for an fsync.
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    group.begin();
    insert.run('next');
    group.commit();
    expect(group.stats).toEqual({ commits: 2, fsyncs: 1 });
    group.close();
    db.close();
    reader.close();
  });

  it('lets writes committed during an fsync share the next one', async () => {
    const { count, insert, group, db, reader } = setup();
    const first = group.writeDurably(() => insert.run('first'));
    group.commit(); // the first fsync starts
    const later = Array.from({ length: 20 }, (_, i) => group.writeDurably(() => insert.run(`later ${i}`)));
    group.commit(); // committed while the first fsync runs: they wait for the second
    await Promise.all([first, ...later]);
    expect(count()).toBe(21);
    expect(group.stats).toEqual({ commits: 2, fsyncs: 2 });
    group.close();
    db.close();
    reader.close();
  });

  it('acknowledges at once on an in-memory database, which has nothing to fsync', async () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE scratch (text TEXT)');
    const group = new CommitGroup(db);
    await group.writeDurably(() => db.prepare('INSERT INTO scratch (text) VALUES (?)').run('x'));
    expect(group.stats).toEqual({ commits: 1, fsyncs: 0 });
    db.close();
  });

  it('shares one commit among the durable writes of one turn of the event loop', async () => {
    const { count, insert, group, db, reader } = setup();
    const acks = Array.from({ length: 50 }, (_, i) => group.writeDurably(() => insert.run(`event ${i}`)));
    expect(count()).toBe(0);
    await Promise.all(acks);
    expect(count()).toBe(50);
    expect(group.stats).toEqual({ commits: 1, fsyncs: 1 });
    db.close();
    reader.close();
  });

  it('rejects a failing write and keeps the rest of its group', async () => {
    const { count, insert, group, db, reader } = setup();
    const good = group.writeDurably(() => insert.run('kept'));
    const bad = group.writeDurably(() => {
      throw new Error('invalid event');
    });
    await expect(bad).rejects.toThrow('invalid event');
    await good;
    expect(count()).toBe(1);
    expect((reader.prepare('SELECT text FROM scratch').get() as { text: string }).text).toBe('kept');
    db.close();
    reader.close();
  });
});
