import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import type { TriggerEvent } from '../../src-main/connectors/define.ts';
import { ghlWebhookEvent } from '../../src-main/connectors/ghl-contacts.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { tempApp } from '../helpers.ts';
import { dryRun, importBundled, liveRun, requestLine, sampleOf, stepStatuses } from './golden.ts';

/** Golden runs of the contact sync templates: kvCORE-style → GHL, GHL ↔ Kanbert, Kanbert deletions. */

const NOW = new Date('2026-06-17T14:20:00.000Z');
let ghl: GhlServer;
let kanbert: KanbertServer;
let app: App;

beforeEach(async () => {
  ghl = await startGhlServer();
  kanbert = await startKanbertServer();
  app = tempApp({ now: () => NOW });
  app.connections.add({ name: 'ghl-main', app: 'ghl', baseUrl: ghl.url, secret: ghl.keys.write });
  app.connections.add({ name: 'kanbert-main', app: 'kanbert', baseUrl: kanbert.url, secret: kanbert.keys.write });
});

afterEach(async () => {
  await ghl.close();
  await kanbert.close();
});

const writesTo = (server: { requests: { method: string; path: string }[] }) =>
  server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.replace(/[0-9a-zA-Z]{20}|[0-9a-f-]{36}/g, ':id')}`);

describe('kvcore-contact-to-ghl', () => {
  it('creates the contact in GHL with the field map and kvCORE ID, tags it, and writes nothing when GHL already agrees', async () => {
    const { workflowId } = await importBundled(app, 'kvcore-contact-to-ghl');
    const event = sampleOf(app, 'kvcore-contact-to-ghl');

    const dry = await dryRun(app, workflowId, event, [ghl]);
    const planned = dry.requests.map((r) => requestLine(r, [ghl]));
    expect(planned.map((p) => p.call)).toEqual(['POST /contacts/', expect.stringMatching(/^POST \/contacts\/.+\/tags$/)]);
    expect(planned[0]?.body).toEqual({
      firstName: 'Rosa',
      lastName: 'Delgado',
      email: 'rosa.delgado@example.com',
      phone: '+15550101',
      externalId: '0190a3f2-0000-7000-8000-0000000000f1',
      customFields: [{ key: 'kvcore_source', field_value: 'kvCORE open house' }],
    });
    expect(planned[1]?.body).toEqual({ tags: ['buyer', 'kvcore'] });

    await liveRun(app, workflowId, event, [ghl]);
    expect(writesTo(ghl)).toEqual(['POST /contacts/', 'POST /contacts/:id/tags']);
    const [remote] = [...ghl.contacts.values()];
    expect(remote).toMatchObject({
      email: 'rosa.delgado@example.com',
      externalId: '0190a3f2-0000-7000-8000-0000000000f1',
      tags: ['buyer', 'kvcore'],
      customFields: [{ key: 'kvcore_source', field_value: 'kvCORE open house' }],
    });

    // The same contact again (e.g. the echo of a sync the other way): GHL has the same details.
    const again = await liveRun(app, workflowId, event, [ghl]);
    expect(stepStatuses(again)).toMatchObject({ changed: 'succeeded', exists: 'skipped', create: 'skipped', tag: 'skipped' });
    expect(ghl.counts.writes).toBe(0);
  });

  it('updates the GHL contact found by email when a synced field differs', async () => {
    const { workflowId } = await importBundled(app, 'kvcore-contact-to-ghl');
    const existing = ghl.addContact({ email: 'rosa.delgado@example.com', firstName: 'Rosa', lastName: 'Delgado', phone: '+15550000' });
    await liveRun(app, workflowId, sampleOf(app, 'kvcore-contact-to-ghl'), [ghl]);
    expect(writesTo(ghl)).toEqual(['PUT /contacts/:id', 'POST /contacts/:id/tags']);
    expect(ghl.contacts.get(existing.id)).toMatchObject({ phone: '+15550101', tags: ['buyer', 'kvcore'] });
    expect(ghl.contacts.size).toBe(1);
  });
});

describe('GHL ↔ Kanbert two-way contact sync', () => {
  it('ghl-to-kanbert: a GHL contact missing in Kanbert is created there, linked by its GHL ID', async () => {
    const { workflowId } = await importBundled(app, 'ghl-to-kanbert-contact-sync');
    const event = sampleOf(app, 'ghl-to-kanbert-contact-sync');

    const dry = await dryRun(app, workflowId, event, [ghl, kanbert]);
    expect(dry.requests.map((r) => requestLine(r, [kanbert]))).toEqual([
      {
        call: 'POST /contacts',
        body: {
          external_id: 'ocQHyuzHvysMo5N5VsXc',
          external_origin: 'ghl',
          first_name: 'Anna',
          last_name: 'Berger',
          email: 'anna.berger@example.com',
          telephone: '+49 30 1234567',
        },
      },
    ]);

    await liveRun(app, workflowId, event, [kanbert]);
    expect(writesTo(kanbert)).toEqual(['POST /contacts']);
    expect([...kanbert.contacts.values()]).toEqual([
      expect.objectContaining({
        email: 'anna.berger@example.com',
        external_id: 'ocQHyuzHvysMo5N5VsXc',
        external_origin: 'ghl',
        telephone: '+49 30 1234567',
      }),
    ]);
    expect(ghl.counts.writes).toBe(0);
  });

  it('kanbert-to-ghl: a Kanbert contact missing in GHL is created there, tagged "kanbert"', async () => {
    const { workflowId } = await importBundled(app, 'kanbert-to-ghl-contact-sync');
    const event = sampleOf(app, 'kanbert-to-ghl-contact-sync');

    const dry = await dryRun(app, workflowId, event, [ghl, kanbert]);
    expect(dry.requests.map((r) => requestLine(r, [ghl]))).toEqual([
      {
        call: 'POST /contacts/',
        body: {
          firstName: 'Jonas',
          lastName: 'Weber',
          email: 'jonas.weber@example.com',
          phone: '+49 30 7654321',
          externalId: '9b2f6c1e-4a7d-4e3b-9c51-2f8a7d6e1b30',
          tags: ['kanbert'],
        },
      },
    ]);

    await liveRun(app, workflowId, event, [ghl]);
    expect(writesTo(ghl)).toEqual(['POST /contacts/']);
    expect([...ghl.contacts.values()]).toEqual([
      expect.objectContaining({ email: 'jonas.weber@example.com', externalId: '9b2f6c1e-4a7d-4e3b-9c51-2f8a7d6e1b30', tags: ['kanbert'] }),
    ]);
    expect(kanbert.counts.writes).toBe(0);
  });

  it('a change made in GHL reaches Kanbert once; Kanbert’s echo of it stops at the check and writes nothing to GHL', async () => {
    const toKanbert = (await importBundled(app, 'ghl-to-kanbert-contact-sync')).workflowId;
    const toGhl = (await importBundled(app, 'kanbert-to-ghl-contact-sync')).workflowId;
    const inGhl = ghl.addContact({ email: 'sam.lee@example.com', firstName: 'Sam', lastName: 'Lee', phone: '+15550111' });
    const inKanbert = kanbert.addContact({ email: 'sam.lee@example.com', first_name: 'Sam', last_name: 'Lee', telephone: '+15550111' });

    ghl.editContact(inGhl.id, { phone: '+15550199' });
    const [update] = ghl.takeEvents();
    await liveRun(app, toKanbert, ghlWebhookEvent(update as Record<string, unknown>).payload, [kanbert]);
    expect(writesTo(kanbert)).toEqual(['PATCH /contacts/:id']);
    expect(kanbert.contacts.get(inKanbert.id)?.telephone).toBe('+15550199');

    // Kanbert reports the change it just received as contact:update, made by the integration.
    const echo = {
      ...kanbert.payload('contact:update', kanbert.contacts.get(inKanbert.id) as never, 'integration'),
      timestamp: NOW.toISOString(),
    };
    const run = await liveRun(app, toGhl, echo as unknown as TriggerEvent, [ghl]);
    expect(run.steps.find((s) => s.nodeId === 'changed')?.output).toEqual({ passed: false });
    expect(stepStatuses(run)).toMatchObject({ exists: 'skipped', update: 'skipped', create: 'skipped' });
    expect(ghl.counts.writes).toBe(0);
  });
});

describe('kanbert-deleted-archive-record', () => {
  it('archives the local client linked to the deleted Kanbert contact and notes why', async () => {
    const { workflowId } = await importBundled(app, 'kanbert-deleted-archive-record', { bindings: { kanbert: 'kanbert-main' } });
    const event = sampleOf(app, 'kanbert-deleted-archive-record');
    const client = app.crm.createRecord({
      type: 'client',
      title: 'Anna Berger',
      data: { email: 'anna.berger@example.com', kanbert_id: '9b2f6c1e-4a7d-4e3b-9c51-2f8a7d6e1b30' },
    });

    const dry = await dryRun(app, workflowId, event, [kanbert]);
    expect(dry.requests).toEqual([]);
    expect(dry.changes.map((c) => [c.entity, c.op, c.id === client.id || c.label])).toEqual([
      ['record', 'update', true],
      ['note', 'create', expect.stringContaining('Anna Berger (anna.berger@example.com) was deleted in Kanbert')],
    ]);
    expect(dry.changes[0]?.fields).toEqual([
      { field: 'data.status', before: null, after: 'archived' },
      { field: 'data.archived_at', before: null, after: '2026-06-17T14:20:00Z' },
      { field: 'data.archived_reason', before: null, after: 'Contact deleted in Kanbert' },
    ]);

    await liveRun(app, workflowId, event);
    expect(app.crm.getRecord(client.id)?.data).toMatchObject({ status: 'archived', archived_reason: 'Contact deleted in Kanbert' });
    expect(app.crm.listNotes({ record_id: client.id })).toHaveLength(1);
    // The demo's other clients are not linked and stay as they were.
    expect(app.crm.findRecords({ type: 'client' }).filter((r) => r.data.status === 'archived')).toHaveLength(1);
    expect(kanbert.counts.writes).toBe(0);
  });
});
