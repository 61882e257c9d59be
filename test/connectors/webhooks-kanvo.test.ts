import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResolvedConnection, WebhookRejection } from '../../src-main/connectors/define.ts';
import { kanvoConnector } from '../../src-main/connectors/kanvo.ts';
import { fieldsHash } from '../../src-main/store/echoes.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { connection, runAction, signal, startReceiver, webhooksOf } from './webhook-support.ts';

const hooks = webhooksOf(kanvoConnector);
let kanvo: KanvoServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let conn: ResolvedConnection;

beforeEach(async () => {
  kanvo = await startKanvoServer();
  receiver = await startReceiver();
  conn = connection('kanvo', kanvo.url, kanvo.keys.admin);
});

afterEach(async () => {
  await receiver.close();
  await kanvo.close();
});

/** Registers Pipewright's address for these events and returns what Kanvo answered. */
const register = (events: string[]) => hooks.register?.(conn, receiver.url, events, signal()) ?? Promise.reject(new Error('no register'));

describe('Kanvo webhooks: register, deliver, verify, receive', () => {
  it('registers the webhook (Kanvo keeps it and returns the signing secret once) and deletes it again', async () => {
    const registered = await register(['kanvo:record.created', 'record.updated']);
    const hook = kanvo.webhooks.get(registered.id);
    expect(hook).toMatchObject({ url: receiver.url, events: ['record.created', 'record.updated'], is_active: true });
    expect(registered.secret).toBe(hook?.secret);
    expect(kanvo.requestsTo('/webhooks', 'POST')[0]?.body).toEqual({ url: receiver.url, events: ['record.created', 'record.updated'] });

    await hooks.unregister?.(conn, registered.id, signal());
    expect(kanvo.webhooks.size).toBe(0);
    expect(kanvo.requestsTo('/webhooks', 'DELETE')[0]?.query).toEqual({ id: registered.id });
    // Deleted already (e.g. by hand in Kanvo): going off still succeeds.
    await expect(hooks.unregister?.(conn, registered.id, signal())).resolves.toBeUndefined();
  });

  it("accepts Kanvo's signed delivery, and rejects it when the body was changed or the secret is wrong", async () => {
    const { secret } = await register(['record.created']);
    const record = kanvo.addRecord({ title: 'Smith Residence', data: { phone: '555-0101' } });
    await kanvo.deliver('record.created', { ...record });
    const [delivery] = receiver.received;
    if (!delivery || !secret) throw new Error('no delivery');

    expect(hooks.verify?.(delivery.rawBody, delivery.headers, secret)).toBe(true);
    const changed = Buffer.from(delivery.rawBody.toString('utf8').replace('Smith', 'Smyth'));
    expect(hooks.verify?.(changed, delivery.headers, secret)).toBe(false);
    expect(hooks.verify?.(delivery.rawBody, delivery.headers, 'whsec_wrong')).toBe(false);
    expect(hooks.verify?.(delivery.rawBody, {}, secret)).toBe(false);

    const received = hooks.receive(delivery.body, delivery.headers, new Date().toISOString());
    expect(received.event).toBe('kanvo:record.created');
    expect(received.payload).toMatchObject({
      event: 'record.created',
      workspace_id: kanvo.workspaces.main.id,
      data: { id: record.id, title: 'Smith Residence' },
    });
    expect(received.dedupeKey).toMatch(/^body:[0-9a-f]{64}$/);
    // The same delivery again gives the same key; another event gives another.
    expect(hooks.receive(JSON.parse(delivery.rawBody.toString('utf8')), {}, '').dedupeKey).toBe(received.dedupeKey);
    expect(hooks.receive({ ...(delivery.body as object), event: 'record.updated' }, {}, '').dedupeKey).not.toBe(received.dedupeKey);
  });

  const good = { event: 'record.created', workspace_id: 'ws_main01', timestamp: '2026-06-17T14:20:00.000Z', data: { id: 'r1' } };
  it.each([
    ['a list', [good], 'body'],
    ['no event', { ...good, event: undefined }, 'event'],
    ['an event Kanvo does not send', { ...good, event: 'record.exploded' }, 'event'],
    ['no workspace', { ...good, workspace_id: 7 }, 'workspace_id'],
    ['a bad time', { ...good, timestamp: 'yesterday' }, 'timestamp'],
    ['data that is not an object', { ...good, data: 'r1' }, 'data'],
  ])('rejects a delivery with %s (400 naming the field)', (_what, body, field) => {
    try {
      hooks.receive(body, {}, '2026-06-17T14:20:00.000Z');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookRejection);
      expect((err as WebhookRejection).status).toBe(400);
      expect((err as Error).message).toContain(field);
    }
  });

  it('names the app event of an inbox event', () => {
    expect(hooks.remoteEvent('kanvo:record.created')).toBe('record.created');
    expect(hooks.remoteEvent('kanvo:pipeline.stage_changed')).toBe('pipeline.stage_changed');
  });
});

describe('Kanvo polling', () => {
  const poll = (events: string[], cursor: unknown) => {
    if (!hooks.poll) throw new Error('no poll');
    return hooks.poll(conn, events, cursor, signal());
  };

  it('first gives a cursor and no events; then one event per change, the same key when read again', async () => {
    // More records than one page (100): every page is read.
    for (let i = 0; i < 120; i++) kanvo.addRecord({ title: `Lead ${i}` });
    const target = kanvo.addRecord({ title: 'Johnson Property' });

    const first = await poll(['kanvo:record.updated'], undefined);
    expect(first.events).toEqual([]);
    expect(first.cursor).toBeDefined();
    expect(kanvo.requestsTo('/records', 'GET').map((r) => r.query.page)).toEqual(['1', '2']);
    expect(await poll(['kanvo:record.updated'], first.cursor)).toMatchObject({ events: [] });

    await runAction(kanvoConnector, 'updateRecord', { record_id: target.id, title: 'Johnson Property - Lawn Care' }, conn);
    const second = await poll(['kanvo:record.updated'], first.cursor);
    expect(second.events).toHaveLength(1);
    const [event] = second.events;
    expect(event?.event).toBe('kanvo:record.updated');
    expect(event?.payload).toMatchObject({ event: 'record.updated', data: { id: target.id, title: 'Johnson Property - Lawn Care' } });
    expect(event?.dedupeKey).toBe(`poll:${target.id}:${kanvo.records.get(target.id)?.updated_at}`);

    // Polled again from the old cursor (e.g. the new one was not saved): the same key, so one run.
    const again = await poll(['kanvo:record.updated'], first.cursor);
    expect(again.events.map((e) => e.dedupeKey)).toEqual([event?.dedupeKey]);
    expect((await poll(['kanvo:record.updated'], second.cursor)).events).toEqual([]);
  });

  it('tells created from updated, and returns only the events asked for', async () => {
    const old = kanvo.addRecord({ title: 'Old lead' });
    const { cursor } = await poll(['kanvo:record.created', 'kanvo:record.updated'], undefined);
    const created = await runAction(kanvoConnector, 'createRecord', { type: 'lead', title: 'New lead' }, conn);
    await runAction(kanvoConnector, 'updateRecord', { record_id: old.id, title: 'Old lead (called)' }, conn);

    const both = await poll(['kanvo:record.created', 'kanvo:record.updated'], cursor);
    expect(both.events.map((e) => [e.event, e.payload.data.id])).toEqual([
      ['kanvo:record.created', created.id],
      ['kanvo:record.updated', old.id],
    ]);
    const onlyCreated = await poll(['kanvo:record.created'], cursor);
    expect(onlyCreated.events.map((e) => [e.event, e.payload.data.id])).toEqual([['kanvo:record.created', created.id]]);
  });

  it('finds a change made later in the same second as the newest one seen', async () => {
    const a = kanvo.addRecord({ title: 'A' });
    const { cursor } = await poll(['kanvo:record.created'], undefined);
    const b = kanvo.addRecord({ title: 'B' });
    // Kanvo's clock gave B the same time as A.
    b.created_at = a.created_at;
    b.updated_at = a.updated_at;
    const next = await poll(['kanvo:record.created'], cursor);
    expect(next.events.map((e) => e.payload.data.id)).toEqual([b.id]);
    expect((await poll(['kanvo:record.created'], next.cursor)).events).toEqual([]);
  });

  it('reports tasks created and completed; stage changes cannot be polled', async () => {
    const task = kanvo.addTask({ title: 'Call back' });
    const start = await poll(['kanvo:task.completed'], undefined);
    const startCreated = await poll(['kanvo:task.created'], undefined);
    await runAction(kanvoConnector, 'completeTask', { task_id: task.id }, conn);
    const added = await runAction(kanvoConnector, 'createTask', { title: 'Send estimate' }, conn);

    const completed = await poll(['kanvo:task.completed'], start.cursor);
    expect(completed.events.map((e) => [e.event, e.payload.data.id])).toEqual([['kanvo:task.completed', task.id]]);
    expect((await poll(['kanvo:task.completed'], completed.cursor)).events).toEqual([]);
    const created = await poll(['kanvo:task.created'], startCreated.cursor);
    expect(created.events.map((e) => [e.event, e.payload.data.id])).toEqual([['kanvo:task.created', added.id]]);

    await expect(poll(['kanvo:pipeline.stage_changed'], undefined)).rejects.toThrow('public address');
  });
});

describe('Kanvo echoes of our own writes', () => {
  it("an update's output and Kanvo's webhook for it give the same echo key; a user's later change does not", async () => {
    await register(['record.updated']);
    const record = kanvo.addRecord({ title: 'Johnson Property', data: { phone: '555-0101' } });

    const output = await runAction(kanvoConnector, 'updateRecord', { record_id: record.id, data: { email: 'j@example.com' } }, conn);
    const written = hooks.echoOfWrite?.('updateRecord', output);
    const fired = kanvo.events.filter((e) => e.event === 'record.updated').at(-1);
    await kanvo.deliver('record.updated', fired?.data);
    const echo = hooks.echoOfEvent?.(hooks.receive(receiver.received[0]?.body, {}, '').payload);
    expect(written).toEqual({
      resourceId: `record:${record.id}`,
      fields: { title: 'Johnson Property', stage_id: null, assignee_id: null, data: { phone: '555-0101', email: 'j@example.com' } },
    });
    expect(echo).toEqual(written);
    expect(fieldsHash(echo?.fields ?? {})).toBe(fieldsHash(written?.fields ?? {}));

    // Someone changes the title in Kanvo: that event is not our echo.
    const other = connection('kanvo', kanvo.url, kanvo.keys.write);
    await runAction(kanvoConnector, 'updateRecord', { record_id: record.id, title: 'Johnson Property (VIP)' }, other);
    await kanvo.deliver('record.updated', kanvo.events.at(-1)?.data);
    const userEcho = hooks.echoOfEvent?.(hooks.receive(receiver.received[1]?.body, {}, '').payload);
    expect(userEcho?.resourceId).toBe(written?.resourceId);
    expect(fieldsHash(userEcho?.fields ?? {})).not.toBe(fieldsHash(written?.fields ?? {}));
  });

  it('moving a stage echoes as both record.updated and pipeline.stage_changed; reads have no echo', async () => {
    const record = kanvo.addRecord({ title: 'Lead', stage: 'New' });
    const output = await runAction(kanvoConnector, 'moveStage', { record_id: record.id, stage: 'Contacted' }, conn);
    const written = hooks.echoOfWrite?.('moveStage', output);
    for (const name of ['record.updated', 'pipeline.stage_changed']) {
      const fired = kanvo.events.find((e) => e.event === name);
      expect(hooks.echoOfEvent?.({ event: name, timestamp: '', data: fired?.data as Record<string, unknown> }), name).toEqual(written);
    }
    expect(hooks.echoOfWrite?.('getRecord', output)).toBeUndefined();
    expect(hooks.echoOfEvent?.({ event: 'record.deleted', timestamp: '', data: output })).toBeUndefined();
  });
});
