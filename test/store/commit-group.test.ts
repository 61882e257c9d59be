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

  it('commits a pending ordinary group first, then the durable one, and keeps both', async () => {
    const { count, insert, group, db, reader } = setup();
    group.begin();
    insert.run('journal row of a run');
    await group.writeDurably(() => insert.run('webhook event'));
    expect(count()).toBe(2);
    // Back to ordinary commits afterwards: the safety level is only raised for durable groups.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    group.begin();
    insert.run('next');
    group.commit();
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    db.close();
    reader.close();
  });

  it('shares one commit among the durable writes of one turn of the event loop', async () => {
    const { count, insert, group, db, reader } = setup();
    const acks = Array.from({ length: 50 }, (_, i) => group.writeDurably(() => insert.run(`event ${i}`)));
    expect(count()).toBe(0);
    await Promise.all(acks);
    expect(count()).toBe(50);
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
