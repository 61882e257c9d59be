import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app.ts';
import { eventsCommand } from '../../src-main/cli-events.ts';
import { tempDir } from '../helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pipewright.js');
const TEMPLATE = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'local-lead-follow-up.json'), 'utf8'));
const WORKFLOW = 'New lead: follow-up task, tag and stage';

function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A data folder where the lead follow-up template is live and two records were created: a lead
 * (event #1, processed: one run) and a job (event #2, no workflow matched). The app is closed
 * afterwards, as the CLI opens the folder on its own.
 */
async function dataWithEvents(): Promise<string> {
  const dataDir = tempDir();
  const app = createApp({ dataDir });
  try {
    app.save(TEMPLATE);
    await app.setLive(TEMPLATE.id, true);
    app.crm.createRecord({
      type: 'lead',
      title: 'Levy Residence - Fence Repair',
      pipeline: 'main-sales',
      data: { email: 'rachel.levy@example.com' },
    });
    app.crm.createRecord({ type: 'job', title: 'Garage Door Repair' });
    await app.settle();
  } finally {
    await app.close();
  }
  return dataDir;
}

/** Runs `pipewright events …` in this process, with its output captured. */
async function inProcess(dataDir: string, args: string[], options: Record<string, string | boolean> = {}) {
  const app = createApp({ dataDir });
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await eventsCommand(app, args, options, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    await app.close();
  }
}

describe('pipewright events', () => {
  it('lists, shows and replays events that live workflows received', async () => {
    const dataDir = await dataWithEvents();

    const listed = cli(dataDir, 'events');
    expect(listed.code, listed.stderr).toBe(0);
    const [header, ...rows] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+RECEIVED\s+SOURCE\s+EVENT\s+STATUS\s+SUMMARY$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^2\s+\S+\s+local\s+record\.created\s+no_match\s+Garage Door Repair$/);
    expect(rows[1]).toMatch(/^1\s+\S+\s+local\s+record\.created\s+processed\s+Levy Residence - Fence Repair · rachel\.levy@example\.com$/);

    const shown = cli(dataDir, 'events', 'show', '1');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Event #1: record\.created \(Record created\) from Local CRM$/m);
    expect(shown.stdout).toMatch(/^Status:\s+processed/m);
    expect(shown.stdout).toMatch(new RegExp(`^[0-9a-f-]{36}\\s+${WORKFLOW}\\s+succeeded`, 'm'));
    expect(shown.stdout).toContain('"title": "Levy Residence - Fence Repair"');

    const replayed = cli(dataDir, 'events', 'replay', '1');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/^Replayed event #1 as event #3: processed/m);
    expect(replayed.stdout).toMatch(new RegExp(`${WORKFLOW}\\s+succeeded`));

    // The copy was processed for real: the lead now has two follow-up tasks.
    const copy = JSON.parse(cli(dataDir, 'events', 'show', '3', '--json').stdout);
    expect(copy).toMatchObject({ id: 3, status: 'processed', event: 'record.created', summary: expect.stringContaining('Levy Residence') });
    expect(copy.runs).toEqual([expect.objectContaining({ workflowName: WORKFLOW, status: 'succeeded' })]);
    const app = createApp({ dataDir });
    try {
      expect(app.crm.listTasks({}).filter((t) => t.title === 'Call Levy Residence - Fence Repair')).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('rejects an unknown status with the valid ones, and an unknown event with exit code 1', async () => {
    const dataDir = await dataWithEvents();
    const badStatus = cli(dataDir, 'events', '--status', 'done');
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain(
      'There is no event status "done"; use one of: pending, processed, no_match, duplicate, echo, loop_stopped, rejected, failed.',
    );

    const missing = await inProcess(dataDir, ['show', '12']);
    expect(missing).toMatchObject({ code: 1, stderr: 'There is no event #12. See "pipewright events".' });
    expect(await inProcess(dataDir, ['replay', '12'])).toMatchObject({ code: 1 });
    expect(await inProcess(dataDir, ['show'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Missing the event id') });
    expect(await inProcess(dataDir, ['show', 'abc'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"abc" is not an event id'),
    });
    expect(await inProcess(dataDir, [], { limit: '500' })).toMatchObject({ code: 2, stderr: expect.stringContaining('from 1 to 200') });
    expect(await inProcess(dataDir, ['purge'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Unknown events command "purge"'),
    });
  });

  it('filters by status and workflow, limits, and prints JSON', async () => {
    const dataDir = await dataWithEvents();
    const ids = async (options: Record<string, string | boolean>) =>
      (JSON.parse((await inProcess(dataDir, [], { ...options, json: true })).stdout) as { id: number }[]).map((e) => e.id);
    expect(await ids({})).toEqual([2, 1]);
    expect(await ids({ status: 'processed' })).toEqual([1]);
    expect(await ids({ status: 'no_match' })).toEqual([2]);
    expect(await ids({ workflow: TEMPLATE.id })).toEqual([1]);
    expect(await ids({ limit: '1' })).toEqual([2]);

    const [event] = JSON.parse((await inProcess(dataDir, [], { json: true, limit: '1' })).stdout);
    expect(event).toEqual({
      id: 2,
      source: 'local',
      sourceLabel: 'Local CRM',
      event: 'record.created',
      eventLabel: 'Record created',
      status: 'no_match',
      receivedAt: expect.any(String),
      processedAt: expect.any(String),
      note: null,
      workflowId: null,
      depth: 0,
      summary: 'Garage Door Repair',
    });

    const empty = await inProcess(dataDir, [], { status: 'failed' });
    expect(empty).toMatchObject({ code: 0, stdout: 'No events match.' });
  });

  it('says there is nothing to replay for a rejected delivery', async () => {
    const dataDir = tempDir();
    const app = createApp({ dataDir });
    const id = app.inbox.add({
      source: 'kanvo',
      event: 'webhook.rejected',
      payload: { status: 401, reason: 'The signature does not match.', bytes: 120 },
      receivedAt: app.now().toISOString(),
      status: 'rejected',
      note: 'Answered 401: The signature does not match.',
    });
    await app.close();

    const replay = await inProcess(dataDir, ['replay', String(id)]);
    expect(replay).toMatchObject({ code: 1, stderr: `Event #${id} was rejected when it arrived; there is nothing to replay.` });
    const listed = await inProcess(dataDir, []);
    expect(listed.stdout).toMatch(/kanvo\s+webhook\.rejected\s+rejected\s+The signature does not match\.$/m);
  });
});
