import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResolvedConnection, type TriggerEvent, WebhookRejection } from '../../src-main/connectors/define.ts';
import { KONVOX_EVENTS, konvoxConnector, konvoxInboxEvent } from '../../src-main/connectors/konvox.ts';
import { type KonvoxServer, startKonvoxServer } from '../fixtures/konvox-server.ts';
import { connection, runAction, signal, startReceiver, webhooksOf } from './webhook-support.ts';

const hooks = webhooksOf(konvoxConnector);
let konvox: KonvoxServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let conn: ResolvedConnection;

beforeEach(async () => {
  konvox = await startKonvoxServer();
  receiver = await startReceiver();
  conn = connection('konvox', konvox.url, konvox.keys.full);
});

afterEach(async () => {
  await receiver.close();
  await konvox.close();
});

const poll = (events: string[], cursor: unknown) => {
  if (!hooks.poll) throw new Error('no poll');
  return hooks.poll(conn, events, cursor, signal());
};

/** Konvox's delivery of the last event it fired, as the receiver got it. */
async function deliverLast(event: string) {
  const fired = konvox.events.filter((e) => e.event === event).at(-1);
  if (!fired) throw new Error(`Konvox fired no ${event}`);
  await konvox.deliver(event, fired.data);
  const delivery = receiver.received.at(-1);
  if (!delivery) throw new Error('nothing delivered');
  return delivery;
}

describe('Konvox triggers', () => {
  it('declares app-prefixed events, params, a sample and a filter for each', () => {
    const byKey = new Map(konvoxConnector.triggers.map((t) => [t.key, t]));
    expect([...byKey.keys()].sort()).toEqual([
      'campaignStatusChanged',
      'contactBounced',
      'contactCreated',
      'contactReplied',
      'contactUnsubscribed',
    ]);
    for (const trigger of konvoxConnector.triggers) {
      expect(trigger.source).toBe('webhook');
      expect(trigger.events?.every((e) => e.startsWith('konvox:'))).toBe(true);
      expect(trigger.output.safeParse(trigger.sample).success, trigger.key).toBe(true);
      expect(trigger.description).toContain('event reference');
    }
    const bounced = byKey.get('contactBounced');
    const event = (name: string, data: Record<string, unknown>): TriggerEvent => ({ event: konvoxInboxEvent(name), timestamp: '', data });
    const crm = undefined as never;
    expect(bounced?.matches?.(bounced.params.parse({}), event('contact.bounced', { id: 'c1' }), crm)).toBe(true);
    expect(bounced?.matches?.(bounced.params.parse({}), event('contact.unsubscribed', { id: 'c1' }), crm)).toBe(false);
    expect(bounced?.matches?.(bounced.params.parse({ campaign: 'cmp_1' }), event('contact.bounced', { campaignId: 'cmp_2' }), crm)).toBe(
      false,
    );
    const campaign = byKey.get('campaignStatusChanged');
    const completed = event('campaign.status_changed', { id: 'cmp_1', status: 'completed' });
    expect(campaign?.matches?.(campaign.params.parse({ status: 'completed' }), completed, crm)).toBe(true);
    expect(campaign?.matches?.(campaign.params.parse({ status: 'paused' }), completed, crm)).toBe(false);
  });
});

describe('Konvox webhooks: register and receive', () => {
  it('registers an active webhook for the app event names; Konvox returns no secret and has no delete', async () => {
    const registered = await hooks.register?.(conn, receiver.url, ['konvox:contact.bounced', 'contact.unsubscribed'], signal());
    const hook = konvox.webhooks.get(registered?.id ?? '');
    expect(hook).toMatchObject({ url: receiver.url, events: ['contact.bounced', 'contact.unsubscribed'], active: true });
    expect(konvox.requestsTo('/webhooks', 'POST')[0]?.body).toEqual({
      url: receiver.url,
      events: ['contact.bounced', 'contact.unsubscribed'],
      active: true,
    });
    expect(registered?.secret).toBeUndefined();
    expect(hooks.unregister).toBeUndefined();
    expect(hooks.verify).toBeUndefined();
  });

  it("accepts Konvox's delivery of a bounce", async () => {
    await hooks.register?.(conn, receiver.url, ['contact.bounced'], signal());
    const contact = konvox.addContact({ email: 'maria@example.com', firstName: 'Maria' });
    konvox.setContactStatus(contact.id, 'bounced');
    const delivery = await deliverLast('contact.bounced');

    const received = hooks.receive(delivery.body, delivery.headers, '2026-06-17T14:30:00.000Z');
    expect(received.event).toBe('konvox:contact.bounced');
    expect(received.payload).toMatchObject({
      event: 'contact.bounced',
      data: { id: contact.id, email: 'maria@example.com', status: 'bounced' },
    });
    expect(received.dedupeKey).toMatch(/^body:[0-9a-f]{64}$/);
    expect(hooks.receive(JSON.parse(delivery.rawBody.toString('utf8')), {}, '').dedupeKey).toBe(received.dedupeKey);
    expect(hooks.remoteEvent('konvox:contact.bounced')).toBe('contact.bounced');
  });

  const good = { event: 'contact.bounced', data: { id: 'ctc_1' }, timestamp: '2026-06-17T14:20:00.000Z' };
  it.each([
    ['no object', null, 'body'],
    ['an event Pipewright does not know', { ...good, event: 'contact.exploded' }, 'event'],
    ['no data', { ...good, data: undefined }, 'data'],
    ['a bad time', { ...good, timestamp: 12 }, 'timestamp'],
  ])('rejects a delivery with %s (400 naming the field)', (_what, body, field) => {
    try {
      hooks.receive(body, {}, '2026-06-17T14:20:00.000Z');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookRejection);
      expect((err as WebhookRejection).status).toBe(400);
      expect((err as Error).message).toContain(field);
    }
    expect(KONVOX_EVENTS).toContain(good.event);
  });
});

describe('Konvox polling', () => {
  it('a bounce gives one event; polling again gives the same key, or nothing from the new cursor', async () => {
    for (let i = 0; i < 5; i++) konvox.addContact();
    const maria = konvox.addContact({ email: 'maria@example.com' });
    const first = await poll(['konvox:contact.bounced'], undefined);
    expect(first.events).toEqual([]);
    expect(konvox.requestsTo('/contacts', 'GET')[0]?.query).toMatchObject({ status: 'bounced' });

    konvox.setContactStatus(maria.id, 'bounced');
    const second = await poll(['konvox:contact.bounced'], first.cursor);
    expect(second.events).toHaveLength(1);
    expect(second.events[0]).toMatchObject({
      event: 'konvox:contact.bounced',
      payload: { event: 'contact.bounced', data: { id: maria.id, status: 'bounced' } },
      dedupeKey: `poll:${maria.id}:bounced`,
    });
    expect((await poll(['konvox:contact.bounced'], first.cursor)).events.map((e) => e.dedupeKey)).toEqual([`poll:${maria.id}:bounced`]);
    expect((await poll(['konvox:contact.bounced'], second.cursor)).events).toEqual([]);
    // Unsubscribing is another event, not asked for here.
    konvox.setContactStatus(konvox.addContact().id, 'unsubscribed');
    expect((await poll(['konvox:contact.bounced'], second.cursor)).events).toEqual([]);
  });

  it('reads every page of contacts for new ones', async () => {
    for (let i = 0; i < 210; i++) konvox.addContact();
    const first = await poll(['konvox:contact.created'], undefined);
    expect(konvox.requestsTo('/contacts', 'GET').map((r) => r.query.offset)).toEqual(['0', '200']);
    const created = await runAction(konvoxConnector, 'createContact', { email: 'new@example.com', firstName: 'New' }, conn);
    const next = await poll(['konvox:contact.created'], first.cursor);
    expect(next.events.map((e) => [e.event, e.payload.data.id, e.payload.data.email])).toEqual([
      ['konvox:contact.created', created.id, 'new@example.com'],
    ]);
    expect((await poll(['konvox:contact.created'], next.cursor)).events).toEqual([]);
  });

  it("reports a campaign's status change with the status before; replies cannot be polled", async () => {
    const campaign = konvox.addCampaign({ name: 'Roofers Q3', status: 'active' });
    const first = await poll(['konvox:campaign.status_changed'], undefined);
    await runAction(konvoxConnector, 'setCampaignStatus', { campaign_id: campaign.id, status: 'completed' }, conn);
    const next = await poll(['konvox:campaign.status_changed'], first.cursor);
    expect(next.events.map((e) => e.payload)).toMatchObject([
      { event: 'campaign.status_changed', data: { id: campaign.id, status: 'completed', previousStatus: 'active' } },
    ]);
    expect((await poll(['konvox:campaign.status_changed'], next.cursor)).events).toEqual([]);

    await expect(poll(['konvox:contact.replied'], undefined)).rejects.toThrow('public address');
  });
});
