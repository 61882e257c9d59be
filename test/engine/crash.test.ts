import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'crash-child.ts');
const ITEMS = 1500;

function child(dataDir: string, mode: 'start' | 'resume'): { proc: ChildProcess; output: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode, String(ITEMS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  const output = new Promise<string>((resolve) => proc.on('exit', () => resolve(out)));
  return { proc, output };
}

/** Reads committed progress through a separate connection, as another process would. */
function committedSteps(file: string): number {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM step_attempts WHERE node_id = 'task'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

async function killWhen(dataDir: string, proc: ChildProcess, atLeast: number): Promise<number> {
  const file = join(dataDir, 'pipewright.db');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    const n = committedSteps(file);
    if (n >= atLeast) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      return n;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the run finished or stalled before ${atLeast} steps were committed`);
}

describe('crash safety', () => {
  it('a run killed twice with SIGKILL completes on restart without repeating any local write', async () => {
    const dataDir = tempDir();
    const first = child(dataDir, 'start');
    const atFirstKill = await killWhen(dataDir, first.proc, 200);
    expect(atFirstKill).toBeLessThan(ITEMS);

    const second = child(dataDir, 'resume');
    await killWhen(dataDir, second.proc, atFirstKill + 200);

    const last = child(dataDir, 'resume');
    const report = JSON.parse((await last.output).trim()) as { status: string }[];
    expect(report).toEqual([{ status: 'succeeded', error: null }]);

    const db = new Database(join(dataDir, 'pipewright.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const tasks = db.prepare("SELECT title, COUNT(*) AS n FROM tasks WHERE title LIKE 'Item %' GROUP BY title HAVING n > 1").all();
      expect(tasks).toEqual([]);
      expect((db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE title LIKE 'Item %'").get() as { n: number }).n).toBe(ITEMS);
      expect((db.prepare("SELECT COUNT(*) AS n FROM activities WHERE summary LIKE 'item-%'").get() as { n: number }).n).toBe(ITEMS);
      // Every item's steps succeeded exactly once in the journal.
      const succeeded = db
        .prepare("SELECT COUNT(DISTINCT step_key) AS n FROM step_attempts WHERE node_id = 'task' AND status = 'succeeded'")
        .get() as { n: number };
      expect(succeeded.n).toBe(ITEMS);
    } finally {
      db.close();
    }
  }, 120_000);
});
