import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizePayload } from '../../src-main/api.ts';
import { InboxEventStatus, type MethodOutput } from '../../src-main/shared/contract.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { INBOX_STATUSES } from '../../src-main/store/inbox.ts';
import { serveApp } from './rpc-harness.ts';

/** The events methods over the browser edition's HTTP RPC, on a real app and store. */

const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;

const serve = () => serveApp();

/** The template live, then a lead (event #1, one run) and a job nobody listens to (event #2). */
async function withEvents() {
  const h = await serve();
  h.app.save(template);
  await h.app.setLive(template.id, true);
  h.app.crm.createRecord({
    type: 'lead',
    title: 'Levy Residence - Fence Repair',
    pipeline: 'main-sales',
    data: { email: 'rachel.levy@example.com' },
  });
  h.app.crm.createRecord({ type: 'job', title: 'Garage Door Repair' });
  await h.app.settle();
  return h;
}

describe('events RPC', () => {
  it('lists events newest first with plain names, summaries and counts per status, and pages back', async () => {
    const h = await withEvents();
    const { body, status } = await h.rpc('events.list', {});
    expect(status).toBe(200);
    const list = body as MethodOutput<'events.list'>;
    expect(list.events.map((e) => [e.id, e.status, e.summary])).toEqual([
      [2, 'no_match', 'Garage Door Repair'],
      [1, 'processed', 'Levy Residence - Fence Repair · rachel.levy@example.com'],
    ]);
    expect(list.events[1]).toMatchObject({
      source: 'local',
      sourceLabel: 'Local CRM',
      event: 'record.created',
      eventLabel: 'Record created',
    });
    expect(list.counts).toEqual({ pending: 0, processed: 1, no_match: 1, duplicate: 0, echo: 0, loop_stopped: 0, rejected: 0, failed: 0 });

    const older = (await h.rpc('events.list', { before: 2, limit: 1 })).body as MethodOutput<'events.list'>;
    expect(older.events.map((e) => e.id)).toEqual([1]);
    const processed = (await h.rpc('events.list', { status: 'processed' })).body as MethodOutput<'events.list'>;
    expect(processed.events.map((e) => e.id)).toEqual([1]);
    // Counts cover every event, so the filter can show them all.
    expect(processed.counts.no_match).toBe(1);
  });

  it('gets an event with its payload and the runs it started', async () => {
    const h = await withEvents();
    const event = (await h.rpc('events.get', { id: 1 })).body as MethodOutput<'events.get'>;
    expect(event.payload).toMatchObject({ event: 'record.created', data: { title: 'Levy Residence - Fence Repair' } });
    expect(event.runs).toEqual([
      expect.objectContaining({ workflowId: template.id, workflowName: template.name, status: 'succeeded', mode: 'live' }),
    ]);
    expect(h.app.journal.getRun(event.runs[0]?.runId as string)?.eventId).toBe(1);
    expect(((await h.rpc('events.get', { id: 2 })).body as MethodOutput<'events.get'>).runs).toEqual([]);
  });

  it('replays an event: the copy is queued, processed and starts its own run', async () => {
    const h = await withEvents();
    const replayed = await h.rpc('events.replay', { id: 1 });
    expect(replayed).toEqual({ status: 200, body: { id: 3 } });
    await h.app.settle();
    const copy = (await h.rpc('events.get', { id: 3 })).body as MethodOutput<'events.get'>;
    expect(copy).toMatchObject({ status: 'processed', event: 'record.created', summary: expect.stringContaining('Levy Residence') });
    expect(copy.runs).toHaveLength(1);
    const original = (await h.rpc('events.get', { id: 1 })).body as MethodOutput<'events.get'>;
    expect(copy.runs[0]?.runId).not.toBe(original.runs[0]?.runId);
  });

  it('answers unknown events with 404, a rejected delivery with 400 and bad input with the field', async () => {
    const h = await serve();
    expect(await h.rpc('events.get', { id: 12 })).toEqual({ status: 404, body: { error: 'There is no event #12.', field: 'id' } });
    expect((await h.rpc('events.replay', { id: 12 })).status).toBe(404);

    const rejected = h.app.inbox.add({
      source: 'kanvo',
      event: 'webhook.rejected',
      payload: { status: 401, reason: 'The signature does not match.', bytes: 120 },
      receivedAt: h.app.now().toISOString(),
      status: 'rejected',
    });
    expect(await h.rpc('events.replay', { id: rejected })).toEqual({
      status: 400,
      body: { error: `Event #${rejected} was rejected when it arrived; there is nothing to replay.`, field: 'id' },
    });
    const [listed] = ((await h.rpc('events.list', {})).body as MethodOutput<'events.list'>).events;
    expect(listed).toMatchObject({ sourceLabel: 'Kanvo', eventLabel: 'Webhook rejected', summary: 'The signature does not match.' });

    for (const input of [{ limit: 201 }, { status: 'done' }, { before: 0 }]) {
      const answer = await h.rpc('events.list', input);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ field: Object.keys(input)[0] });
    }
    expect((await h.rpc('events.get', { id: 'one' })).body).toMatchObject({ field: 'id' });
  });

  it('knows the same statuses as the inbox', () => {
    expect(InboxEventStatus.options).toEqual([...INBOX_STATUSES]);
  });
});

describe('event summaries', () => {
  const cases: [string, unknown, string][] = [
    [
      'a local record',
      { event: 'record.created', data: { title: 'Oak & Pine', data: { email: 'j@oak.example' } } },
      'Oak & Pine · j@oak.example',
    ],
    ['a stage change', { data: { title: 'Oak & Pine', to_stage: 'Contacted' } }, 'Oak & Pine · → Contacted'],
    [
      'a tagged contact',
      { data: { first_name: 'Sarah', last_name: 'Johnson', email: 's@j.example', tag: 'vip' } },
      'Sarah Johnson · s@j.example · tagged "vip"',
    ],
    ['a Kanbert contact (its title is "Dr.")', { data: { title: 'Dr.', first_name: 'Anna', last_name: 'Berger' } }, 'Anna Berger'],
    [
      'a GHL contact',
      { event: 'ContactCreate', data: { firstName: 'Ana', lastName: 'Ruiz', email: 'ana@ruiz.example' } },
      'Ana Ruiz · ana@ruiz.example',
    ],
    ['a contact known by email only', { data: { email: 'x@y.example' } }, 'x@y.example'],
    ['a form', { data: { form: 'Quote request', fields: { email: 'q@r.example' } } }, 'Form "Quote request" · q@r.example'],
    ['a schedule', { event: 'schedule', data: { scheduledFor: '2025-06-01T09:00:00.000Z' } }, 'Scheduled for 2025-06-01 09:00 UTC'],
    ['nothing known', { data: { id: 'abc' } }, ''],
    ['not an object', 'text', ''],
  ];
  it.each(cases)('%s', (_, payload, expected) => {
    expect(summarizePayload(payload)).toBe(expected);
  });

  it('stays on one line of at most 120 characters', () => {
    const summary = summarizePayload({ data: { title: 'x'.repeat(300) } });
    expect(summary).toHaveLength(120);
    expect(summary.endsWith('…')).toBe(true);
  });
});
