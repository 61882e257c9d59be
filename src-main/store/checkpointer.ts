import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type Db, WAL_AUTOCHECKPOINT_PAGES } from './db.ts';

/** How often the worker copies the WAL back into the database file. */
const INTERVAL_MS = 1000;

/**
 * The worker's code: its own connection to the same file, checkpointing when asked. A constant
 * of ours, run as a worker's source so it needs no separate file in every build (the CLI runs
 * sources, the app and the benchmarks run bundles); nothing a user supplies ever reaches it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message) });
  }
});
`;

export interface CheckpointResult {
  ok: boolean;
  /** WAL frames, and how many of them are now in the database file. */
  log?: number;
  checkpointed?: number;
  error?: string;
}

/**
 * Checkpoints the WAL on another thread. A checkpoint copies the WAL into the database file and
 * fsyncs it: done by the writing connection itself (SQLite's automatic checkpoint) it stalls that
 * commit, and with it every webhook ack and run waiting on the event loop, for a few hundred
 * milliseconds every few thousand runs. A PASSIVE checkpoint from a second connection never blocks
 * the writer, and runs on the other core.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private waiting: ((result: CheckpointResult) => void)[] = [];
  private inFlight = false;
  private stopped = false;
  private readonly exited: Promise<void>;

  constructor(
    private readonly db: Db,
    file: string,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (result: CheckpointResult) => {
      this.inFlight = false;
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve(result);
    });
    // Should the worker fail, SQLite's own checkpoints take over again.
    this.worker.on('error', () => this.restoreAutocheckpoint());
    this.db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => void this.checkpoint(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Asks for a checkpoint now; resolves with its result. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.resolve({ ok: false, error: 'stopped' });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.inFlight) return;
      this.inFlight = true;
      this.worker.postMessage('checkpoint');
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    // Waiting for it must keep the process alive (the worker itself is unref'd).
    this.worker.ref();
    this.worker.postMessage('close');
    const timeout = setTimeout(() => void this.worker.terminate(), 2000);
    await this.exited;
    clearTimeout(timeout);
    this.restoreAutocheckpoint();
  }

  private restoreAutocheckpoint(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
}
