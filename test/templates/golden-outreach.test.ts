import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type CrmHttpServer, startCrmHttpServer } from '../fixtures/crm-http-server.ts';
import { type KonvoxServer, startKonvoxServer } from '../fixtures/konvox-server.ts';
import { tempApp } from '../helpers.ts';
import { dryRun, importBundled, liveRun, requestLine, sampleOf, stepStatuses } from './golden.ts';

/** Golden runs of the outreach templates: Konvox in both directions, and the CRM HTTP API's marketing list and email. */

const NOW = new Date('2026-06-17T14:20:00.000Z');
let app: App;

describe('Konvox templates', () => {
  let konvox: KonvoxServer;
  beforeEach(async () => {
    konvox = await startKonvoxServer();
    app = tempApp({ now: () => NOW });
    app.connections.add({ name: 'konvox-main', app: 'konvox', baseUrl: konvox.url, secret: konvox.keys.full });
  });
  afterEach(async () => {
    await konvox.close();
  });

  it('konvox-bounced-to-crm-tag: a bounce tags the CRM contact with that email and notes it', async () => {
    const { workflowId } = await importBundled(app, 'konvox-bounced-to-crm-tag', { bindings: { outreach: 'konvox-main' } });
    const event = sampleOf(app, 'konvox-bounced-to-crm-tag');
    const mike = app.crm.findContactByEmail('mike.smith@example.net');

    const dry = await dryRun(app, workflowId, event, [konvox]);
    expect(dry.requests).toEqual([]);
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([
      ['contact', 'update', 'Michael Smith'],
      [
        'note',
        'create',
        'Email to mike.smith@example.net bounced in Konvox (campaign cmp_8k2x9p). Check the address before emailing again.',
      ],
    ]);
    expect(dry.changes[0]?.fields).toContainEqual({ field: 'tags', before: ['newsletter'], after: ['email-bounced', 'newsletter'] });

    await liveRun(app, workflowId, event);
    expect(app.crm.getContact(mike?.id as string)?.tags).toEqual(['email-bounced', 'newsletter']);
    expect(app.crm.listNotes({ contact_id: mike?.id }).map((n) => n.body)).toEqual([expect.stringContaining('bounced in Konvox')]);

    // An address that is not in the CRM changes nothing.
    const stranger = await liveRun(app, workflowId, sampleOf(app, 'konvox-bounced-to-crm-tag', { email: 'nobody@example.org' }));
    expect(stepStatuses(stranger)).toMatchObject({ known: 'succeeded', tag: 'skipped', note: 'skipped' });
    expect(konvox.counts.writes).toBe(0);
  });

  it('local-tagged-to-konvox: a contact tagged "outreach" is added to Konvox and tagged "in-konvox"', async () => {
    const { workflowId } = await importBundled(app, 'local-tagged-to-konvox');
    const event = sampleOf(app, 'local-tagged-to-konvox');

    const dry = await dryRun(app, workflowId, event, [konvox]);
    expect(dry.requests.map((r) => requestLine(r, [konvox]))).toEqual([
      { call: 'POST /api/v1/contacts', body: { email: 'mike.smith@example.net', firstName: 'Michael', lastName: 'Smith' } },
    ]);
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([['contact', 'update', 'Michael Smith']]);

    await liveRun(app, workflowId, event, [konvox]);
    expect([...konvox.contacts.values()]).toEqual([
      expect.objectContaining({ email: 'mike.smith@example.net', firstName: 'Michael', lastName: 'Smith' }),
    ]);
    expect(app.crm.findContactByEmail('mike.smith@example.net')?.tags).toEqual(['in-konvox', 'newsletter']);
  });
});

describe('CRM HTTP API templates', () => {
  let crm: CrmHttpServer;
  beforeEach(async () => {
    crm = await startCrmHttpServer();
    app = tempApp({ now: () => NOW });
    app.connections.add({
      name: 'crm-main',
      app: 'crm-http',
      baseUrl: crm.url,
      secret: crm.keys.write,
      extras: { entityId: crm.entities.main },
    });
  });
  afterEach(async () => {
    await crm.close();
  });

  it('crm-http-new-lead-nurture: each new lead not yet handled goes on the marketing list once, with an activity', async () => {
    const listId = crm.marketingListId();
    const { workflowId } = await importBundled(app, 'crm-http-new-lead-nurture', {
      bindings: { crm: 'crm-main' },
      values: { 'list.listId': listId },
    });
    const contact = crm.addContact({ firstName: 'Kim', lastName: 'Park', email: 'kim@example.com' });
    const fresh = crm.addLead({ title: 'Park - gutters', contactId: contact.id });
    crm.addLead({ title: 'Old - roof', stage: 'Qualified' });
    const event = sampleOf(app, 'crm-http-new-lead-nurture');

    const dry = await dryRun(app, workflowId, event, [crm]);
    expect(dry.requests.map((r) => requestLine(r, [crm]))).toEqual([
      { call: 'POST /prospecting/add-to-marketing-list', body: { listId, leadIds: [fresh.id], contactIds: [contact.id] } },
      {
        call: `POST /leads/${fresh.id}/activities`,
        body: { type: 'note', subject: 'Added to the marketing list', body: 'Added by Pipewright when the lead was in New.' },
      },
    ]);

    await liveRun(app, workflowId, event, [crm]);
    expect(crm.counts.writes).toBe(2);
    expect([...(crm.marketingLists.get(listId)?.members ?? [])].sort()).toEqual([contact.id, fresh.id].sort());

    // Half an hour later a new lead has arrived: only that one is added; the first is known by its activity.
    const newest = crm.addLead({ title: 'Diaz - patio' });
    await liveRun(app, workflowId, event, [crm]);
    expect(crm.counts.writes).toBe(2);
    expect(crm.marketingLists.get(listId)?.members.has(newest.id)).toBe(true);
    const logged = [...crm.activities.values()].filter((a) => a.subject === 'Added to the marketing list').map((a) => a.leadId);
    expect(logged.sort()).toEqual([fresh.id, newest.id].sort());
  });

  it('crm-http-estimate-email: leads in Proposal get the estimate email once, from the CRM mailbox', async () => {
    const { workflowId } = await importBundled(app, 'crm-http-estimate-email');
    const lead = crm.addLead({ title: 'Harbor Roofing - gutters', stage: 'Proposal' });
    crm.addLead({ title: 'Still new', stage: 'New' });
    const event = sampleOf(app, 'crm-http-estimate-email');
    const mailbox = crm.emailConnectionId();

    const dry = await dryRun(app, workflowId, event, [crm]);
    expect(dry.requests.map((r) => requestLine(r, [crm]))).toEqual([
      {
        call: 'POST /outbound-email',
        body: {
          leadId: lead.id,
          connectionId: mailbox,
          channel: 'gmail',
          subject: 'Your estimate: Harbor Roofing - gutters',
          htmlBody: expect.stringContaining('Your estimate for <strong>Harbor Roofing - gutters</strong> has been sent'),
        },
      },
      {
        call: `POST /leads/${lead.id}/activities`,
        body: { type: 'email', subject: 'Estimate email sent', body: 'Sent from sales@example.com.' },
      },
    ]);
    expect(crm.sentEmails).toEqual([]);

    await liveRun(app, workflowId, event, [crm]);
    expect(crm.sentEmails).toEqual([expect.objectContaining({ leadId: lead.id, subject: 'Your estimate: Harbor Roofing - gutters' })]);

    // The next hour: the activity shows it was sent, so it is not sent again.
    const again = await liveRun(app, workflowId, event, [crm]);
    expect(again.steps.filter((s) => s.nodeId === 'email').map((s) => s.status)).toEqual(['skipped']);
    expect(crm.counts.writes).toBe(0);
    expect(crm.sentEmails).toHaveLength(1);
  });
});
