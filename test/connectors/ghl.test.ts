import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { GHL_EVENTS, ghlConnector, ghlInboxEvent, ghlWebhookEvent } from '../../src-main/connectors/ghl-contacts.ts';
import { type OAuthTokens, testConnection } from '../../src-main/connectors/http.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { tempApp } from '../helpers.ts';

let ghl: GhlServer;
let app: App;

beforeEach(async () => {
  ghl = await startGhlServer();
  app = tempApp({ connectors: [...builtInConnectors, ghlConnector] });
});

afterEach(async () => {
  await ghl.close();
});

function connect(key: string = ghl.keys.write, extras: Record<string, string> = {}, name = 'ghl-main'): void {
  app.connections.add({ name, app: 'ghl', baseUrl: ghl.url, secret: key, extras });
}

/**
 * Renewed OAuth tokens are saved through `connection.saveTokens`. Until the connection store hands
 * that out itself (`ConnectionStore.resolve`, see the connector's report), it is wired the same way
 * here: to the store's own `setTokens`.
 */
function persistRenewedTokens(target: App): void {
  const store = target.connections;
  const resolve = store.resolve.bind(store);
  store.resolve = (name, alias) => {
    const connection = resolve(name, alias);
    if ('saveTokens' in connection) return connection;
    return Object.assign(connection, { saveTokens: (tokens: OAuthTokens) => store.setTokens(name, tokens) });
  };
}

function connectOAuth(grant: { accessToken: string; refreshToken: string; expiresAt: string }, name = 'ghl-main'): void {
  persistRenewedTokens(app);
  app.connections.add({
    name,
    app: 'ghl',
    baseUrl: ghl.url,
    auth: 'oauth',
    secret: grant.accessToken,
    refreshToken: grant.refreshToken,
    expiresAt: grant.expiresAt,
    extras: { clientId: ghl.clientId },
  });
}

type Node = WorkflowInput['nodes'][number];

function chain(sample: Record<string, unknown>, ...steps: Omit<Node, 'connection'>[]): WorkflowInput {
  const nodes: Node[] = [{ id: 'start', type: 'logic.manual', params: { sample } }, ...steps.map((s) => ({ ...s, connection: 'ghl' }))];
  return {
    format: 'pipewright.workflow/1',
    id: 'ghl-flow',
    name: 'GHL flow',
    connections: { ghl: { app: 'ghl' } },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as Node).id, to: n.id })),
  };
}

const one = (id: string, type: string, params: Record<string, unknown>) => chain({}, { id, type, params });

const newBuyerFlow = () =>
  chain(
    { first: 'Rosa', last: 'Delgado', email: 'rosa.delgado@example.com', phone: '+15550101', kvId: 'kv-48213' },
    {
      id: 'create',
      type: 'ghl.createContact',
      params: {
        firstName: '{{ trigger.data.first }}',
        lastName: '{{ trigger.data.last }}',
        email: '{{ trigger.data.email }}',
        phone: '{{ trigger.data.phone }}',
        externalId: '{{ trigger.data.kvId }}',
        customFields: { budget: '450000' },
      },
    },
    { id: 'tag', type: 'ghl.addTags', params: { contactId: '{{ steps.create.output.id }}', tags: 'kvcore, buyer' } },
    {
      id: 'task',
      type: 'ghl.createTask',
      params: { contactId: '{{ steps.create.output.id }}', title: 'Call {{ steps.create.output.firstName }}', dueDate: '2026-06-20' },
    },
  );

describe('GHL golden workflows', () => {
  it('creates a contact, tags it and gives it a follow-up task', async () => {
    connect();
    const result = await app.run(newBuyerFlow());

    expect(result.status, result.error ?? '').toBe('succeeded');
    for (const request of ghl.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${ghl.keys.write}`);
      expect(request.headers.version).toBe('2021-07-28');
    }
    const contact = [...ghl.contacts.values()][0];
    expect(ghl.requestsTo('/contacts/', 'POST')[0]?.body).toEqual({
      firstName: 'Rosa',
      lastName: 'Delgado',
      email: 'rosa.delgado@example.com',
      phone: '+15550101',
      externalId: 'kv-48213',
      customFields: [{ key: 'budget', field_value: '450000' }],
    });
    expect(contact).toMatchObject({ email: 'rosa.delgado@example.com', tags: ['kvcore', 'buyer'] });
    expect(result.steps[2]?.output).toEqual({ id: contact?.id, tags: ['kvcore', 'buyer'] });
    expect(ghl.requestsTo(`/contacts/${contact?.id}/tasks`, 'POST')[0]?.body).toEqual({
      title: 'Call Rosa',
      dueDate: '2026-06-20',
      completed: false,
    });
    expect(ghl.events.map((e) => e.type)).toEqual(['ContactCreate', 'ContactTagUpdate']);
  });

  it('dry-runs without sending a single write, showing each planned request with the key redacted', async () => {
    connect();
    const result = await app.run(newBuyerFlow(), { dryRun: true });

    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(ghl.counts.writes).toBe(0);
    expect(ghl.contacts.size).toBe(0);
    expect(result.requests.map((r) => `${r.method} ${r.url.replace(ghl.url, '')}`)).toEqual([
      'POST /contacts/',
      expect.stringMatching(/^POST \/contacts\/[0-9a-f]{20}\/tags$/),
      expect.stringMatching(/^POST \/contacts\/[0-9a-f]{20}\/tasks$/),
    ]);
    expect(result.requests[0]?.headers).toMatchObject({ Authorization: '••••••', Version: '2021-07-28' });
    expect(result.requests[1]?.body).toEqual({ tags: ['kvcore', 'buyer'] });
    expect(result.steps[2]).toMatchObject({ simulated: true, output: { tags: ['kvcore', 'buyer'] } });
    expect(JSON.stringify(result)).not.toContain(ghl.keys.write);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(ghl.keys.write);
  });

  it('401: a wrong token fails the run with the API’s words and without the token', async () => {
    const wrong = 'eyJwrongwrongwrong.eyJpayloadpayload.signaturesignature';
    connect(wrong);
    const result = await app.run(one('list', 'ghl.listContacts', {}));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('GHL rejected the credentials of connection "ghl-main" (401: "Invalid JWT")');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it.each([
    ['ghl.createContact', { email: 'a@b.co', firstName: 'A', lastName: 'B' }, 'create a contact'],
    ['ghl.addTags', { contactId: 'abc', tags: 'vip' }, 'tag the contact'],
    ['ghl.completeTask', { contactId: 'abc', taskId: 'def' }, 'complete the task'],
  ])('403: a contacts.readonly token running %s names the missing contacts.write scope', async (type, params, what) => {
    connect(ghl.keys.read);
    const result = await app.run(one('step', type, params));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      `lacks the "contacts.write" scope needed to ${what} (403: "The token is not authorized for this scope.")`,
    );
  });

  it('403: a locationId the token cannot use is refused, and not blamed on a scope', async () => {
    connect(ghl.keys.write, { locationId: ghl.locations.other });
    const result = await app.run(one('list', 'ghl.listContacts', {}));
    expect(result.error).toContain(
      'refused to let connection "ghl-main" list contacts (403: "The token does not have access to this location.")',
    );
    expect(result.error).not.toContain('scope needed');
  });

  it('404: a contact of another location is not found', async () => {
    connect();
    const foreign = ghl.addContact({ email: 'x@other.example', location: 'other' });
    const result = await app.run(one('get', 'ghl.getContact', { contactId: foreign.id }));
    expect(result.error).toContain('GHL could not read the contact: not found (404: "Contact not found")');
  });

  it('429 then success: waits at least Retry-After and sends the create once more', async () => {
    connect();
    ghl.inject({ status: 429, retryAfter: '1', method: 'POST', path: '/contacts/' });
    const started = performance.now();
    const result = await app.run(one('create', 'ghl.createContact', { email: 'wait@example.com', firstName: 'W', lastName: 'Ait' }));
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(ghl.requestsTo('/contacts/', 'POST').map((r) => r.status)).toEqual([429, 201]);
    expect(ghl.contacts.size).toBe(1);
  });

  it('500 on a read: retried with backoff until it works', async () => {
    connect();
    const contact = ghl.addContact({ email: 'flaky@example.com', firstName: 'Flaky' });
    ghl.inject({ status: 500, times: 2, method: 'GET' });
    const result = await app.run(one('get', 'ghl.getContact', { contactId: contact.id }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ id: contact.id, firstName: 'Flaky' });
    expect(ghl.requestsTo(`/contacts/${contact.id}`).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('500 on a create: not sent again (it may have been made); on an update (PUT): retried', async () => {
    connect();
    ghl.inject({ status: 500, method: 'POST', path: '/contacts/' });
    const create = await app.run(one('create', 'ghl.createContact', { email: 'once@example.com', firstName: 'O', lastName: 'Nce' }));
    expect(create.error).toContain('GHL had a server error when trying to create a contact (500: "Internal Server Error")');
    expect(ghl.requestsTo('/contacts/', 'POST')).toHaveLength(1);

    const contact = ghl.addContact({ email: 'put@example.com' });
    ghl.inject({ status: 503, method: 'PUT' });
    const update = await app.run(one('update', 'ghl.updateContact', { contactId: contact.id, phone: '+15550199' }));
    expect(update.status).toBe('succeeded');
    expect(ghl.requestsTo(`/contacts/${contact.id}`, 'PUT').map((r) => r.status)).toEqual([503, 200]);
  });

  it('reads every page of contacts to the end (limit + startAfterId), and stops at "At most"', async () => {
    connect(ghl.keys.read);
    for (let i = 0; i < 230; i++) ghl.addContact({ email: `buyer${i + 1}@example.com`, firstName: `Buyer ${i + 1}` });

    const all = await app.run(one('list', 'ghl.listContacts', { limit: 1000 }));
    expect(all.status).toBe('succeeded');
    expect(all.steps[1]?.output).toMatchObject({ count: 230, total: 230, truncated: false, first: { firstName: 'Buyer 1' } });
    const pages = ghl.requestsTo('/contacts/', 'GET').map((r) => r.query);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toEqual({ limit: '100' });
    expect(pages[1]?.startAfterId).toBe([...ghl.contacts.values()][99]?.id);
    expect(pages[2]?.startAfterId).toBe([...ghl.contacts.values()][199]?.id);

    ghl.clearLog();
    const some = await app.run(one('list', 'ghl.listContacts', { query: 'buyer', limit: 30 }));
    expect(some.steps[1]?.output).toMatchObject({ count: 30, truncated: true });
    expect(ghl.requestsTo('/contacts/', 'GET').map((r) => r.query)).toEqual([{ query: 'buyer', limit: '30' }]);
  });

  it('finds a contact by exact email among near matches', async () => {
    connect(ghl.keys.read, { locationId: ghl.locations.main });
    ghl.addContact({ email: 'sam@example.com', firstName: 'Sam' });
    ghl.addContact({ email: 'sam@example.com.au', firstName: 'Other Sam' });
    const found = await app.run(one('find', 'ghl.listContacts', { email: 'SAM@example.com' }));
    expect(found.steps[1]?.output).toMatchObject({ count: 1, first: { firstName: 'Sam' } });
    expect(ghl.requests[0]?.query).toMatchObject({ query: 'SAM@example.com', locationId: ghl.locations.main });
    const none = await app.run(one('find', 'ghl.listContacts', { email: 'nobody@example.com' }));
    expect(none.steps[1]?.output).toMatchObject({ count: 0, first: null });
  });

  it('paces a batch of creates through the connection’s rate limit', async () => {
    app.connections.add({
      name: 'ghl-main',
      app: 'ghl',
      baseUrl: ghl.url,
      secret: ghl.keys.write,
      rateLimit: { requestsPerSecond: 10, burst: 2 },
    });
    const people = Array.from({ length: 6 }, (_, i) => ({ email: `batch${i}@example.com`, first: `B${i}`, last: 'Atch' }));
    const flow: WorkflowInput = {
      format: 'pipewright.workflow/1',
      id: 'ghl-batch',
      name: 'Batch push',
      connections: { ghl: { app: 'ghl' } },
      nodes: [
        { id: 'start', type: 'logic.manual', params: { sample: { people } } },
        { id: 'each', type: 'logic.forEach', params: { items: '{{ trigger.data.people }}' } },
        {
          id: 'create',
          type: 'ghl.createContact',
          connection: 'ghl',
          params: { email: '{{ loop.item.email }}', firstName: '{{ loop.item.first }}', lastName: '{{ loop.item.last }}' },
        },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'create', port: 'each' },
      ],
    };
    const started = performance.now();
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(ghl.contacts.size).toBe(6);
    // A burst of 2, then 10 a second: the 4 others wait about 400 ms in all.
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe('GHL: every operation', () => {
  it('contacts: get, update, list by business, notes, appointments, delete', async () => {
    connect();
    const contact = ghl.addContact({ email: 'lee@example.com', firstName: 'Lee', businessId: 'biz_1', tags: ['old'] });
    ghl.addContact({ email: 'kim@example.com', businessId: 'biz_1' });
    ghl.addContact({ email: 'solo@example.com' });
    const note = ghl.addNote(contact.id, 'Pre-approved up to $450k.');
    ghl.addNote(contact.id, 'Prefers weekends.');
    ghl.addAppointment(contact.id, 'Showing: 12 Elm St');
    const flow = chain(
      {},
      { id: 'business', type: 'ghl.listContactsByBusiness', params: { businessId: 'biz_1' } },
      {
        id: 'update',
        type: 'ghl.updateContact',
        params: { contactId: contact.id, lastName: 'Park', status: 'active', tags: 'buyer, vip', fields: { source: 'kvCORE' } },
      },
      { id: 'get', type: 'ghl.getContact', params: { contactId: contact.id } },
      { id: 'notes', type: 'ghl.listNotes', params: { contactId: contact.id } },
      { id: 'note', type: 'ghl.getNote', params: { contactId: contact.id, noteId: note.id } },
      { id: 'appointments', type: 'ghl.listAppointments', params: { contactId: contact.id } },
      { id: 'delete', type: 'ghl.deleteContact', params: { contactId: contact.id } },
    );
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const out = (id: string) => result.steps.find((s) => s.nodeId === id)?.output;
    expect(out('business')).toMatchObject({ count: 2 });
    expect(ghl.requestsTo(`/contacts/${contact.id}`, 'PUT')[0]?.body).toEqual({
      source: 'kvCORE',
      lastName: 'Park',
      status: 'active',
      tags: ['buyer', 'vip'],
    });
    expect(out('get')).toMatchObject({ firstName: 'Lee', lastName: 'Park', tags: ['buyer', 'vip'], source: 'kvCORE' });
    expect(out('notes')).toMatchObject({ count: 2, first: { body: 'Pre-approved up to $450k.' } });
    expect(out('note')).toMatchObject({ id: note.id });
    expect(out('appointments')).toMatchObject({ count: 1, first: { title: 'Showing: 12 Elm St', appointmentStatus: 'confirmed' } });
    expect(out('delete')).toEqual({ deleted: true, id: contact.id });
    expect(ghl.contacts.has(contact.id)).toBe(false);
  });

  it('tasks: list open ones, get, update, complete, delete', async () => {
    connect();
    const contact = ghl.addContact({ email: 'tasks@example.com' });
    const open = ghl.addTask(contact.id, { title: 'Send listings' });
    ghl.addTask(contact.id, { title: 'Done already', completed: true });
    const flow = chain(
      {},
      { id: 'list', type: 'ghl.listTasks', params: { contactId: contact.id, status: 'open' } },
      {
        id: 'update',
        type: 'ghl.updateTask',
        params: { contactId: contact.id, taskId: '{{ steps.list.output.first.id }}', dueDate: '2026-07-04', body: 'Three in Elmwood' },
      },
      { id: 'complete', type: 'ghl.completeTask', params: { contactId: contact.id, taskId: '{{ steps.list.output.first.id }}' } },
      { id: 'get', type: 'ghl.getTask', params: { contactId: contact.id, taskId: '{{ steps.list.output.first.id }}' } },
      { id: 'delete', type: 'ghl.deleteTask', params: { contactId: contact.id, taskId: '{{ steps.list.output.first.id }}' } },
    );
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ count: 1, first: { id: open.id } });
    expect(ghl.requestsTo(`/contacts/${contact.id}/tasks/${open.id}/completed`, 'PUT')[0]?.body).toEqual({ completed: true });
    expect(result.steps[4]?.output).toMatchObject({ id: open.id, completed: true, dueDate: '2026-07-04', body: 'Three in Elmwood' });
    expect(result.steps[5]?.output).toEqual({ deleted: true, id: open.id });
    expect(ghl.tasks.has(open.id)).toBe(false);
  });

  it('a task without a due date is stopped before GHL sees it', async () => {
    connect();
    const validation = app.validate(one('task', 'ghl.createTask', { contactId: 'abc', title: 'No date' }));
    expect(validation.ok).toBe(false);
    const flow = chain(
      {},
      { id: 'task', type: 'ghl.createTask', params: { contactId: 'abc', title: 'x', dueDate: '{{ trigger.data.due }}' } },
    );
    const result = await app.run(flow);
    expect(result.error).toContain('field "dueDate" is empty');
    expect(ghl.counts.requests).toBe(0);
  });
});

describe('GHL: the two lists of required contact fields', () => {
  const person = { email: 'new@example.com', firstName: 'New', lastName: 'Person' };

  it('basic (the default): email, first and last name are enough', async () => {
    connect();
    const result = await app.run(one('create', 'ghl.createContact', person));
    expect(result.status, result.error ?? '').toBe('succeeded');
  });

  it('basic: a missing last name is stopped before anything is sent', async () => {
    connect();
    const result = await app.run(one('create', 'ghl.createContact', { email: 'x@example.com', firstName: 'X' }));
    expect(result.error).toContain('A new GHL contact needs email, firstName, lastName (required fields: basic); missing: lastName.');
    expect(ghl.counts.requests).toBe(0);
  });

  it('strict: phone and external ID are required too, and checked before sending', async () => {
    connect();
    const result = await app.run(one('create', 'ghl.createContact', { ...person, requiredFields: 'strict', phone: '+15550100' }));
    expect(result.error).toContain('(required fields: strict); missing: externalId.');
    expect(ghl.counts.requests).toBe(0);
  });

  it('an account that enforces the long list refuses a basic contact; strict catches it first', async () => {
    connect();
    ghl.requiredOnCreate = ['email', 'firstName', 'lastName', 'phone', 'externalId'];
    const refused = await app.run(one('create', 'ghl.createContact', person));
    expect(refused.error).toContain('GHL refused to create a contact (400: "phone, externalId are required")');
    const created = await app.run(
      one('create', 'ghl.createContact', { ...person, requiredFields: 'strict', phone: '+15550100', externalId: 'kv-1' }),
    );
    expect(created.status, created.error ?? '').toBe('succeeded');
    expect(created.steps[1]?.output).toMatchObject({ externalId: 'kv-1', phone: '+15550100' });
  });
});

describe('GHL OAuth: tokens are renewed before they expire', () => {
  it('renews a token about to expire before the call, saves the new tokens, and uses them next time', async () => {
    const grant = ghl.issueOAuth({ expiresInSec: 120 });
    connectOAuth(grant);
    const contact = ghl.addContact({ email: 'oauth@example.com' });

    const first = await app.run(one('get', 'ghl.getContact', { contactId: contact.id }));
    expect(first.status, first.error ?? '').toBe('succeeded');
    expect(ghl.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /oauth/token', `GET /contacts/${contact.id}`]);
    expect(ghl.requests[0]?.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: grant.refreshToken,
      client_id: ghl.clientId,
      user_type: 'Location',
    });
    const saved = app.connections.resolve('ghl-main');
    expect(saved.secret).not.toBe(grant.accessToken);
    expect(saved.refreshToken).not.toBe(grant.refreshToken);
    expect(Date.parse(saved.expiresAt ?? '')).toBeGreaterThan(Date.now() + 86_000_000);
    expect(ghl.requests[1]?.headers.authorization).toBe(`Bearer ${saved.secret}`);
    expect(ghl.isRefreshTokenValid(grant.refreshToken)).toBe(false);
    expect(app.connections.get('ghl-main')).toMatchObject({ hasRefreshToken: true, expiresAt: saved.expiresAt });

    ghl.clearLog();
    const second = await app.run(one('get', 'ghl.getContact', { contactId: contact.id }));
    expect(second.status).toBe('succeeded');
    expect(ghl.counts.tokenRefreshes).toBe(0);
    expect(ghl.requests[0]?.headers.authorization).toBe(`Bearer ${saved.secret}`);
    for (const secret of [grant.accessToken, grant.refreshToken, saved.secret ?? '', saved.refreshToken ?? '']) {
      expect(JSON.stringify([first, second, app.journal.steps(first.runId)])).not.toContain(secret);
    }
  });

  it('two steps needing a renewal at once renew it once (the refresh token rotates)', async () => {
    connectOAuth(ghl.issueOAuth({ expiresInSec: 60 }));
    const contact = ghl.addContact({ email: 'twice@example.com' });
    const flow = one('get', 'ghl.getContact', { contactId: contact.id });
    const [a, b] = await Promise.all([app.run(flow), app.run(flow)]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(ghl.counts.tokenRefreshes).toBe(1);
  });

  it('a token refused before its expiry (401) is renewed once, and the call sent again', async () => {
    const grant = ghl.issueOAuth({ expiresInSec: 3600 });
    connectOAuth(grant);
    ghl.expire(grant.accessToken);
    const result = await app.run(one('list', 'ghl.listContacts', {}));
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(ghl.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/contacts/ 401', '/oauth/token 200', '/contacts/ 200']);
  });

  it('a refresh token GHL refuses ends the run with "sign in again", without the token', async () => {
    const grant = ghl.issueOAuth({ expiresInSec: 30 });
    connectOAuth({ ...grant, refreshToken: 'eyJrevokedrevoked.eyJrevokedrevoked.revokedrevoked' });
    const result = await app.run(one('list', 'ghl.listContacts', {}));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      'GHL refused to renew the access token of connection "ghl-main" (400: "invalid_grant: Invalid refresh token"). Sign in to GHL again',
    );
    expect(JSON.stringify(result)).not.toContain('revokedrevoked');
  });

  it('"test connection" renews an expiring token too', async () => {
    connectOAuth(ghl.issueOAuth({ expiresInSec: 10 }));
    ghl.addContact({ email: 'one@example.com' });
    const result = await testConnection(app.connections.resolve('ghl-main'));
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toContain('1 contact.');
    expect(ghl.counts.tokenRefreshes).toBe(1);
  });
});

describe('GHL triggers', () => {
  const triggerFlow = (type: string, params: Record<string, unknown> = {}): WorkflowInput => ({
    format: 'pipewright.workflow/1',
    id: 'ghl-trigger',
    name: 'On GHL contact',
    connections: { ghl: { app: 'ghl' } },
    nodes: [
      { id: 'trigger', type, connection: 'ghl', params },
      { id: 'note', type: 'logic.set', params: { fields: { email: '{{ trigger.data.email }}' } } },
    ],
    edges: [{ from: 'trigger', to: 'note' }],
  });

  it('start from GHL webhook bodies, filtered by tag, once per webhook id', async () => {
    connect();
    app.save(triggerFlow('ghl.contactTagsChanged', { tag: 'VIP' }));
    await app.setLive('ghl-trigger', true);
    const contact = ghl.addContact({ email: 'vip@example.com', tags: ['buyer'] });
    await app.run(one('tag', 'ghl.addTags', { contactId: contact.id, tags: 'vip' }));
    await app.run(one('tag', 'ghl.addTags', { contactId: contact.id, tags: 'seller' }));
    const [vip, seller] = ghl.takeEvents();
    const delivery = ghlWebhookEvent(vip ?? {});
    expect(delivery).toMatchObject({
      event: 'ghl:ContactTagUpdate',
      payload: { event: 'ContactTagUpdate', data: { email: 'vip@example.com' } },
    });
    app.inbox.add(delivery);
    app.inbox.add(ghlWebhookEvent(vip ?? {})); // GHL retried the same delivery
    app.inbox.add(ghlWebhookEvent({ ...seller, tags: ['buyer', 'seller'] }));
    await app.settle();
    const runs = app.journal.list({ workflowId: 'ghl-trigger' });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('succeeded');
  });

  it('never start from the local CRM’s contact events of the same kind', async () => {
    connect();
    app.save(triggerFlow('ghl.contactCreated'));
    await app.setLive('ghl-trigger', true);
    app.crm.createContact({ email: 'local@example.com' });
    await app.settle();
    expect(app.journal.list({ workflowId: 'ghl-trigger' })).toHaveLength(0);
  });
});

describe('GHL in the catalog', () => {
  /** Every endpoint of ghl-contacts-kvcore.txt (and GHL's contact webhooks), and the node that covers it. */
  const documented: [string, string][] = [
    ['GET /contacts/:contactId', 'ghl.getContact'],
    ['GET /contacts/:contactId/tasks', 'ghl.listTasks'],
    ['GET /contacts/:contactId/tasks/:taskId', 'ghl.getTask'],
    ['GET /contacts/:contactId/notes', 'ghl.listNotes'],
    ['GET /contacts/:contactId/notes/:id', 'ghl.getNote'],
    ['GET /contacts/:contactId/appointments', 'ghl.listAppointments'],
    ['GET /contacts/', 'ghl.listContacts'],
    ['GET /contacts/business/:businessId', 'ghl.listContactsByBusiness'],
    ['GET /contacts/:contactId/notes (listed twice)', 'ghl.listNotes'],
    ['POST /contacts/', 'ghl.createContact'],
    ['PUT /contacts/:contactId', 'ghl.updateContact'],
    ['DELETE /contacts/:contactId', 'ghl.deleteContact'],
    ['POST /contacts/:contactId/tasks', 'ghl.createTask'],
    ['PUT /contacts/:contactId/tasks/:taskId', 'ghl.updateTask'],
    ['PUT /contacts/:contactId/tasks/:taskId/completed', 'ghl.completeTask'],
    ['DELETE /contacts/:contactId/tasks/:taskId', 'ghl.deleteTask'],
    ['POST /contacts/:contactId/tags', 'ghl.addTags'],
    ['ContactCreate', 'ghl.contactCreated'],
    ['ContactUpdate', 'ghl.contactUpdated'],
    ['ContactDelete', 'ghl.contactDeleted'],
    ['ContactTagUpdate', 'ghl.contactTagsChanged'],
  ];

  it('has a node with a label and help text for every documented operation, and no other', () => {
    const nodes = new Map(app.registry.catalog().nodes.map((n) => [n.type, n]));
    for (const [operation, type] of documented) {
      const node = nodes.get(type);
      expect(node, operation).toBeDefined();
      expect(node?.label.length, type).toBeGreaterThan(3);
      expect(node?.description.length, type).toBeGreaterThan(20);
      if (node?.kind === 'trigger') expect(node.events, type).toEqual([ghlInboxEvent(operation)]);
      else expect(node?.effect, type).toBe(operation.startsWith('GET') ? 'read' : 'write');
      for (const [field, schema] of Object.entries(
        (node?.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${type} ${field}`).toBeTruthy();
        expect(schema.description, `${type} ${field}`).toBeTruthy();
      }
    }
    const types = [...nodes.keys()].filter((t) => t.startsWith('ghl.'));
    expect(types.sort()).toEqual([...new Set(documented.map(([, t]) => t))].sort());
    expect(documented.filter(([op]) => !op.includes('/')).map(([op]) => op)).toEqual([...GHL_EVENTS]);
  });

  it('declares every write with a plan, and the scope each operation needs in its help', () => {
    for (const action of ghlConnector.actions) {
      if (action.effect === 'write') expect(action.plan, action.key).toBeTypeOf('function');
      expect(action.description, action.key).toMatch(/contacts\.(readonly|write) scope/);
    }
  });

  it('explains the choice between the two required-field lists in the create form', () => {
    const create = app.registry.catalog().nodes.find((n) => n.type === 'ghl.createContact');
    const properties = (create?.input.properties ?? {}) as Record<string, { description?: string; default?: unknown }>;
    const field = properties.requiredFields;
    expect(field?.description).toContain('two lists');
    expect(field?.default).toBe('basic');
  });
});

describe('GHL "test connection"', () => {
  it('reports the contacts it found, a bad key (401) and a missing scope (403), naming it', async () => {
    connect(ghl.keys.read);
    ghl.addContact({ email: 'a@example.com' });
    ghl.addContact({ email: 'b@example.com' });
    const ok = await testConnection(app.connections.resolve('ghl-main'));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.message).toContain('2 contacts.');

    app.connections.update('ghl-main', { secret: 'eyJrevoked0000.eyJrevoked0000.revoked0000' });
    const bad = await testConnection(app.connections.resolve('ghl-main'));
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(bad.message).toContain('GHL rejected the API key (401 Unauthorized: "Invalid JWT")');
    expect(bad.message).not.toContain('revoked0000');

    app.connections.update('ghl-main', { secret: ghl.keys.read });
    ghl.inject({ status: 403, body: { statusCode: 403, message: 'The token is not authorized for this scope.' } });
    const forbidden = await testConnection(app.connections.resolve('ghl-main'));
    expect(forbidden).toMatchObject({ ok: false, status: 403, scope: 'contacts.readonly' });
    expect(forbidden.message).toContain('lacks the "contacts.readonly" scope');
  });
});
