import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpointer } from '../../src-main/store/checkpointer.ts';
import { openDatabase, WAL_AUTOCHECKPOINT_PAGES } from '../../src-main/store/db.ts';
import { tempDir } from '../helpers.ts';

describe('checkpointer', () => {
  it('checkpoints the WAL on another thread while the writer keeps writing, and hands back on stop', async () => {
    const file = join(tempDir(), 'pipewright.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE scratch (text TEXT)');
    const checkpointer = new Checkpointer(db, file);
    // The writer no longer checkpoints by itself.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = db.prepare('INSERT INTO scratch (text) VALUES (?)');
    for (let i = 0; i < 200; i++) db.transaction(() => insert.run('x'.repeat(2000)))();

    const result = await checkpointer.checkpoint();
    expect(result.ok).toBe(true);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    insert.run('after');
    expect((db.prepare('SELECT COUNT(*) AS n FROM scratch').get() as { n: number }).n).toBe(201);

    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
