import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResolvedConnection, type TriggerEvent, WebhookRejection } from '../../src-main/connectors/define.ts';
import { kanbertConnector } from '../../src-main/connectors/kanbert.ts';
import { fieldsHash } from '../../src-main/store/echoes.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { connection, runAction, signal, startReceiver, webhooksOf } from './webhook-support.ts';

const hooks = webhooksOf(kanbertConnector);
let kanbert: KanbertServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let conn: ResolvedConnection;

beforeEach(async () => {
  kanbert = await startKanbertServer();
  receiver = await startReceiver();
  conn = connection('kanbert', kanbert.url, kanbert.keys.write);
});

afterEach(async () => {
  await receiver.close();
  await kanbert.close();
});

const poll = (events: string[], cursor: unknown) => {
  if (!hooks.poll) throw new Error('no poll');
  return hooks.poll(conn, events, cursor, signal());
};

describe('Kanbert webhooks: receive', () => {
  it("accepts Kanbert's delivery, and its two retries give the same dedupe key", async () => {
    kanbert.deliveryTimeoutMs = 5_000;
    const contact = kanbert.addContact({ first_name: 'Anna', last_name: 'Berger', email: 'anna@example.com' });
    await kanbert.deliver(receiver.url, 'contact:update', contact);
    const [delivery] = receiver.received;
    const received = hooks.receive(delivery?.body, delivery?.headers ?? {}, '2026-06-17T14:20:05Z');
    expect(received.event).toBe('kanbert:contact.update');
    expect(received.payload).toMatchObject({
      event: 'contact:update',
      resource: { type: 'contact', id: contact.id },
      data: { id: contact.id, first_name: 'Anna', email: 'anna@example.com' },
      timestamp: '2026-06-17T14:20:05Z',
    });
    // A retry is received later, with the same body: the same key.
    const retry = hooks.receive(JSON.parse(delivery?.rawBody.toString('utf8') ?? ''), {}, '2026-06-17T14:20:20Z');
    expect(retry.dedupeKey).toBe(received.dedupeKey);
    expect(received.dedupeKey).toMatch(new RegExp(`^contact:update:${contact.id}:`));
  });

  it('has no signature, no registration and no removal: the user pastes the address into Kanbert', () => {
    expect(hooks.verify).toBeUndefined();
    expect(hooks.register).toBeUndefined();
    expect(hooks.unregister).toBeUndefined();
    expect(hooks.remoteEvent('kanbert:contact.create')).toBe('contact:create');
  });

  const good = { event: 'contact:create', resource: { type: 'contact', id: 'c1' }, triggered_by: null, data: { id: 'c1' } };
  it.each([
    ['text', 'contact:create', 'body'],
    ['an event Kanbert does not send', { ...good, event: 'company:create' }, 'event'],
    ['a resource that is not an object', { ...good, resource: 'c1' }, 'resource'],
    ['no data', { ...good, data: undefined }, 'data'],
    ['a contact without id', { ...good, data: { first_name: 'Anna' } }, 'data'],
  ])('rejects a delivery with %s (400 naming the field)', (_what, body, field) => {
    try {
      hooks.receive(body, {}, '2026-06-17T14:20:00Z');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookRejection);
      expect((err as WebhookRejection).status).toBe(400);
      expect((err as Error).message).toContain(field);
    }
  });
});

describe('Kanbert polling', () => {
  it('filters on updated_at from the cursor: one event per change, the same key when read again', async () => {
    // More contacts than one page (100): the cursor pages are followed.
    for (let i = 0; i < 130; i++) kanbert.addContact({ first_name: `Person ${i}` });
    const target = kanbert.addContact({ first_name: 'Anna', last_name: 'Berger' });

    const first = await poll(['kanbert:contact.update'], undefined);
    expect(first.events).toEqual([]);
    const firstReads = kanbert.requestsTo('/contacts', 'GET');
    expect(firstReads).toHaveLength(2);
    expect(firstReads[0]?.query).toMatchObject({ sort: 'created_at', 'page[size]': '100' });
    expect(firstReads[1]?.query['page[cursor]']).toBeTruthy();

    await runAction(kanbertConnector, 'updateContact', { contact: target.id, position: 'CFO' }, conn);
    kanbert.clearLog();
    const second = await poll(['kanbert:contact.update'], first.cursor);
    const stamp = (first.cursor as { changed: { since: string } }).changed.since;
    expect(kanbert.requestsTo('/contacts', 'GET')[0]?.query.filter).toBe(`updated_at gte "${stamp}"`);
    expect(second.events).toHaveLength(1);
    const [event] = second.events;
    expect(event?.event).toBe('kanbert:contact.update');
    expect(event?.payload).toMatchObject({ event: 'contact:update', data: { id: target.id, position: 'CFO' }, triggered_by: null });
    expect(event?.dedupeKey).toBe(`poll:${target.id}:${kanbert.contacts.get(target.id)?.updated_at}`);

    expect((await poll(['kanbert:contact.update'], first.cursor)).events.map((e) => e.dedupeKey)).toEqual([event?.dedupeKey]);
    expect((await poll(['kanbert:contact.update'], second.cursor)).events).toEqual([]);
  });

  it('tells created from updated, and finds deleted contacts through archived eq only', async () => {
    const old = kanbert.addContact({ first_name: 'Old' });
    const leaving = kanbert.addContact({ first_name: 'Leaving' });
    const changes = await poll(['kanbert:contact.create', 'kanbert:contact.update'], undefined);
    const deletions = await poll(['kanbert:contact.delete'], undefined);

    const created = await runAction(kanbertConnector, 'createContact', { first_name: 'New', email: 'new@example.com' }, conn);
    await runAction(kanbertConnector, 'updateContact', { contact: old.id, first_name: 'Older' }, conn);
    await runAction(kanbertConnector, 'deleteContact', { contact: leaving.id }, conn);

    const both = await poll(['kanbert:contact.create', 'kanbert:contact.update'], changes.cursor);
    expect(both.events.map((e) => [e.event, e.payload.data.id])).toEqual([
      ['kanbert:contact.create', created.id],
      ['kanbert:contact.update', old.id],
    ]);
    expect((await poll(['kanbert:contact.create'], changes.cursor)).events.map((e) => e.payload.data.id)).toEqual([created.id]);

    kanbert.clearLog();
    const gone = await poll(['kanbert:contact.delete'], deletions.cursor);
    expect(kanbert.requestsTo('/contacts', 'GET')[0]?.query.filter).toBe('archived eq "only"');
    expect(gone.events.map((e) => [e.event, e.payload.data.id])).toEqual([['kanbert:contact.delete', leaving.id]]);
    expect(gone.events[0]?.dedupeKey).toBe(`poll:${leaving.id}:${kanbert.contacts.get(leaving.id)?.deleted_at}:deleted`);
    expect((await poll(['kanbert:contact.delete'], gone.cursor)).events).toEqual([]);
  });
});

describe('Kanbert echoes of our own writes', () => {
  it("an update's output and Kanbert's delivery for it give the same echo key; a user's later change does not", async () => {
    const contact = kanbert.addContact({ first_name: 'Anna', last_name: 'Berger', email: 'Anna.Berger@Example.com' });
    const output = await runAction(
      kanbertConnector,
      'updateContact',
      { contact: contact.id, mobile: '+49 170 123-4567', position: 'CFO' },
      conn,
    );
    const written = hooks.echoOfWrite?.('updateContact', output);
    expect(written?.resourceId).toBe(`contact:${contact.id}`);
    expect(written?.fields).toMatchObject({ email: 'anna.berger@example.com', mobile: '+491701234567', position: 'CFO' });
    expect(written?.fields).not.toHaveProperty('updated_at');

    await kanbert.deliver(receiver.url, 'contact:update', contact, 'integration');
    const echo = hooks.echoOfEvent?.(hooks.receive(receiver.received[0]?.body, {}, '2026-06-17T14:21:00Z').payload);
    expect(echo).toEqual(written);
    expect(fieldsHash(echo?.fields ?? {})).toBe(fieldsHash(written?.fields ?? {}));

    // A person changes the phone in Kanbert afterwards: not our echo.
    await runAction(kanbertConnector, 'updateContact', { contact: contact.id, mobile: '+49 170 7654321' }, conn);
    await kanbert.deliver(receiver.url, 'contact:update', contact, 'user');
    const userEcho = hooks.echoOfEvent?.(hooks.receive(receiver.received[1]?.body, {}, '2026-06-17T14:22:00Z').payload);
    expect(fieldsHash(userEcho?.fields ?? {})).not.toBe(fieldsHash(written?.fields ?? {}));
  });

  it("a create's output matches contact:create; deletions and reads have no echo", async () => {
    const output = await runAction(kanbertConnector, 'createContact', { first_name: 'Jonas', email: 'jonas@example.com' }, conn);
    const created = kanbert.contacts.get(output.id as string);
    if (!created) throw new Error('not created');
    const delivered = (event: string) => ({ ...kanbert.payload(event, created), timestamp: '' }) as unknown as TriggerEvent;
    expect(hooks.echoOfEvent?.(delivered('contact:create'))).toEqual(hooks.echoOfWrite?.('createContact', output));
    expect(hooks.echoOfEvent?.(delivered('contact:delete'))).toBeUndefined();
    expect(hooks.echoOfWrite?.('getContact', output)).toBeUndefined();
  });
});
