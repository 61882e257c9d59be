import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp } from '../helpers.ts';
import { dryRun, importBundled, liveRun, requestLine, sampleOf } from './golden.ts';

/** Golden runs of the Kanvo templates against the fake Kanvo API. */

const NOW = new Date('2026-06-17T14:20:00.000Z');
let kanvo: KanvoServer;
let app: App;

beforeEach(async () => {
  kanvo = await startKanvoServer();
  app = tempApp({ now: () => NOW });
  app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.write });
});

afterEach(async () => {
  await kanvo.close();
});

describe('kanvo-lead-follow-up', () => {
  it('plans a call task due in two days and the move to Contacted, then makes them', async () => {
    const { workflowId } = await importBundled(app, 'kanvo-lead-follow-up', { bindings: { crm: 'kanvo-main' } });
    const lead = kanvo.addRecord({
      type: 'lead',
      title: 'Smith Residence - Spring Cleanup',
      stage: 'new',
      data: { phone: '555-999-0001' },
    });
    const event = sampleOf(app, 'kanvo-lead-follow-up', { id: lead.id });

    const dry = await dryRun(app, workflowId, event, [kanvo]);
    expect(dry.requests.map((r) => requestLine(r, [kanvo]))).toEqual([
      {
        call: 'POST /records/tasks',
        body: { title: 'Call Smith Residence - Spring Cleanup', record_id: lead.id, due_date: '2026-06-19', notes: 'Phone: 555-999-0001' },
      },
      { call: `PATCH /records/${lead.id}`, body: { stage_id: kanvo.stageId('contacted') } },
    ]);

    await liveRun(app, workflowId, event, [kanvo]);
    expect(kanvo.counts.writes).toBe(2);
    const [task] = [...kanvo.tasks.values()];
    expect(task).toMatchObject({ title: 'Call Smith Residence - Spring Cleanup', record_id: lead.id, due_date: '2026-06-19' });
    expect(kanvo.records.get(lead.id)?.stage_id).toBe(kanvo.stageId('contacted'));
  });
});

describe('kanvo-won-to-job', () => {
  it('opens a job at Scheduled with the won record’s details and a kickoff task in three days', async () => {
    const { workflowId } = await importBundled(app, 'kanvo-won-to-job');
    const event = sampleOf(app, 'kanvo-won-to-job');

    const dry = await dryRun(app, workflowId, event, [kanvo]);
    const [createJob, kickoff] = dry.requests.map((r) => requestLine(r, [kanvo]));
    expect(createJob).toEqual({
      call: 'POST /records',
      body: {
        type: 'job',
        title: 'Garcia Backyard - Retaining Wall',
        pipeline: 'jobs',
        stage: 'scheduled',
        data: { phone: '555-0105', address: '9 Ridge Rd, Avon CT', value: 8400 },
      },
    });
    expect(kickoff).toMatchObject({
      call: 'POST /records/tasks',
      body: { title: 'Kickoff: Garcia Backyard - Retaining Wall', due_date: '2026-06-20' },
    });

    await liveRun(app, workflowId, event, [kanvo]);
    const [job] = [...kanvo.records.values()];
    expect(job).toMatchObject({
      title: 'Garcia Backyard - Retaining Wall',
      object_type_id: kanvo.typeId('job'),
      stage_id: kanvo.stageId('scheduled'),
    });
    expect([...kanvo.tasks.values()]).toEqual([
      expect.objectContaining({ title: 'Kickoff: Garcia Backyard - Retaining Wall', record_id: job?.id, due_date: '2026-06-20' }),
    ]);
  });
});

describe('ghl-hot-tag-to-kanvo-lead', () => {
  let ghl: GhlServer;
  beforeEach(async () => {
    ghl = await startGhlServer();
    app.connections.add({ name: 'ghl-main', app: 'ghl', baseUrl: ghl.url, secret: ghl.keys.read });
  });
  afterEach(async () => {
    await ghl.close();
  });

  it('opens one lead in Main Sales / New with a call task, and not a second one for the same contact', async () => {
    const { workflowId, bindings } = await importBundled(app, 'ghl-hot-tag-to-kanvo-lead');
    expect(bindings).toEqual({ ghl: 'ghl-main', crm: 'kanvo-main' });
    const event = sampleOf(app, 'ghl-hot-tag-to-kanvo-lead');

    const dry = await dryRun(app, workflowId, event, [kanvo, ghl]);
    expect(dry.requests.map((r) => requestLine(r, [kanvo]))).toEqual([
      {
        call: 'POST /records',
        body: {
          type: 'lead',
          title: 'Dana Reyes (GHL)',
          pipeline: 'main-sales',
          stage: 'new',
          data: { email: 'dana.reyes@example.com', phone: '+15550199', ghl_contact_id: 'hq7Kp2Ld9sXw3Rt5Yb1N', source: 'GHL (tagged hot)' },
        },
      },
      expect.objectContaining({
        call: 'POST /records/tasks',
        body: expect.objectContaining({ title: 'Call Dana Reyes: tagged hot in GHL', due_date: '2026-06-17' }),
      }),
    ]);

    await liveRun(app, workflowId, event, [kanvo, ghl]);
    const [lead] = [...kanvo.records.values()];
    expect(lead).toMatchObject({
      title: 'Dana Reyes (GHL)',
      stage_id: kanvo.stageId('new'),
      data: { ghl_contact_id: 'hq7Kp2Ld9sXw3Rt5Yb1N' },
    });
    expect(kanvo.tasks.size).toBe(1);
    expect(ghl.counts.writes).toBe(0);

    // The tag changes again (another tag added): the lead exists, so nothing more is written.
    const again = await liveRun(app, workflowId, event, [kanvo]);
    expect(again.steps.find((s) => s.nodeId === 'new')?.output).toEqual({ passed: false });
    expect(kanvo.counts.writes).toBe(0);
    expect(kanvo.records.size).toBe(1);
  });
});
