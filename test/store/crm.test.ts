import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChangeCause,
  CRM_TABLES,
  type CrmChange,
  CrmError,
  type CrmEvent,
  CrmStore,
  type RecordQuery,
  type RecordRow,
} from '../../src-main/store/crm.ts';
import { type Db, openDatabase } from '../../src-main/store/db.ts';
import { seedDemoWorkspace } from '../../src-main/store/demo.ts';
import { crmSchema } from '../../src-main/store/migrations/001-crm.ts';

const START = Date.parse('2026-06-17T14:00:00.000Z');
const STAGES = ['New', 'Contacted', 'Estimate Sent', 'Won', 'Lost'];

interface Harness {
  dir: string;
  file: string;
  db: Db;
  crm: CrmStore;
  events: { event: CrmEvent; cause: ChangeCause | undefined }[];
  changes: CrmChange[];
  /** Events as committed to a real table by onEvent, the way the engine's inbox does it. */
  storedEvents(): { event: string; cause: string | null }[];
  tick(ms?: number): void;
}

let h: Harness;

function open(dir: string): Harness {
  const file = path.join(dir, 'pipewright.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE IF NOT EXISTS test_events (seq INTEGER PRIMARY KEY, event TEXT NOT NULL, payload TEXT NOT NULL, cause TEXT)');
  const insert = db.prepare('INSERT INTO test_events (event, payload, cause) VALUES (?, ?, ?)');
  let clock = START;
  const harness: Harness = {
    dir,
    file,
    db,
    events: [],
    changes: [],
    crm: new CrmStore(db, {
      now: () => new Date(clock),
      onEvent: (event, cause) => {
        insert.run(event.event, JSON.stringify(event), cause ? JSON.stringify(cause) : null);
        harness.events.push({ event, cause });
      },
      onChange: (change) => harness.changes.push(change),
    }),
    storedEvents: () => db.prepare('SELECT event, cause FROM test_events ORDER BY seq').all() as { event: string; cause: string | null }[],
    tick: (ms = 1000) => {
      clock += ms;
    },
  };
  return harness;
}

/** The demo-like schema most tests need, created without touching the harness' event log. */
function schema(crm: CrmStore): void {
  crm.createObjectType({ name: 'Lead', icon: '👤' });
  crm.createObjectType({ name: 'Job', icon: '🔧' });
  crm.createPipeline({ name: 'Main Sales', stages: STAGES });
}

function expectCrmError(act: () => unknown, message: string, field: string): void {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(CrmError);
    expect({ message: (error as CrmError).message, field: (error as CrmError).field }).toEqual({ message, field });
    return;
  }
  expect.unreachable('expected a CrmError');
}

function eventNames(): string[] {
  return h.events.map((e) => e.event.event);
}

function reset(): void {
  h.events.length = 0;
  h.changes.length = 0;
}

beforeEach(() => {
  h = open(fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-crm-')));
  schema(h.crm);
  reset();
});

afterEach(() => {
  h.db.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('creates every CRM table on a fresh file and reopens cleanly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-fresh-'));
    try {
      const db = openDatabase(path.join(dir, 'fresh.db'));
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).sort();
      expect(tables).toEqual(expect.arrayContaining([...CRM_TABLES]));
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const crm = new CrmStore(db);
      expect(crm.isEmpty()).toBe(true);
      const workspace = crm.workspaceId();
      db.close();

      const again = openDatabase(path.join(dir, 'fresh.db'));
      expect(new CrmStore(again).workspaceId()).toBe(workspace);
      again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every table of the CRM migration in CRM_TABLES', () => {
    const created = [...crmSchema.matchAll(/CREATE TABLE (\w+)/g)].map((m) => m[1]);
    expect([...CRM_TABLES].sort()).toEqual(created.sort());
  });
});

describe('schema', () => {
  it.each(['lead', 'Lead', 'LEAD', ' lead '])('finds an object type by slug or name (%j)', (ref) => {
    expect(h.crm.getObjectType(ref)?.name).toBe('Lead');
  });

  it('finds an object type and a pipeline by id', () => {
    const lead = h.crm.getObjectType('lead');
    expect(h.crm.getObjectType(lead?.id ?? '')?.slug).toBe('lead');
    const pipeline = h.crm.getPipeline('main-sales');
    expect(pipeline?.name).toBe('Main Sales');
    expect(h.crm.getPipeline(pipeline?.id ?? '')?.slug).toBe('main-sales');
    expect(h.crm.getPipeline('main sales')?.slug).toBe('main-sales');
  });

  it('lists types by position and pipelines with ordered stages and slugs', () => {
    expect(h.crm.listObjectTypes().map((t) => [t.name, t.slug, t.icon, t.position])).toEqual([
      ['Lead', 'lead', '👤', 0],
      ['Job', 'job', '🔧', 1],
    ]);
    const [pipeline] = h.crm.listPipelines();
    expect(pipeline?.slug).toBe('main-sales');
    expect(pipeline?.stages.map((s) => [s.name, s.slug, s.position])).toEqual([
      ['New', 'new', 0],
      ['Contacted', 'contacted', 1],
      ['Estimate Sent', 'estimate-sent', 2],
      ['Won', 'won', 3],
      ['Lost', 'lost', 4],
    ]);
  });

  it('adds a stage at the end and reports the pipeline change', () => {
    const stage = h.crm.addStage('Main Sales', 'On Hold');
    expect(stage).toMatchObject({ name: 'On Hold', slug: 'on-hold', position: 5 });
    expect(h.changes).toHaveLength(1);
    expect(h.changes[0]).toMatchObject({ entity: 'pipeline', op: 'update' });
    expect(h.changes[0]?.after?.stages).toHaveLength(6);
  });

  it.each([
    [
      'a duplicate object type',
      () => h.crm.createObjectType({ name: 'lead' }),
      'An object type named "Lead" (slug "lead") already exists.',
      'name',
    ],
    [
      'a duplicate pipeline',
      () => h.crm.createPipeline({ name: 'Main  Sales', stages: ['A'] }),
      'A pipeline named "Main Sales" (slug "main-sales") already exists.',
      'name',
    ],
    [
      'a pipeline without stages',
      () => h.crm.createPipeline({ name: 'Empty', stages: [] }),
      'Pipeline "Empty" needs at least one stage.',
      'stages',
    ],
    ['a duplicate stage', () => h.crm.addStage('main-sales', 'won'), 'Pipeline "Main Sales" already has a stage "won".', 'stages'],
  ])('refuses %s in plain words', (_label, act, message, field) => {
    expectCrmError(act, message, field);
  });

  it('resolves a stage by name, slug or id, with or without the pipeline', () => {
    const pipeline = h.crm.getPipeline('main-sales');
    const sent = pipeline?.stages[2];
    for (const [stageRef, pipelineRef] of [
      ['Estimate Sent', 'Main Sales'],
      ['estimate sent', undefined],
      ['estimate-sent', 'main-sales'],
      [sent?.id ?? '', undefined],
      [sent?.id ?? '', pipeline?.id],
    ] as const) {
      const stage = h.crm.resolveStage(stageRef, pipelineRef);
      expect(stage.id).toBe(sent?.id);
      expect(stage.pipeline.name).toBe('Main Sales');
    }
  });

  it.each([
    [
      'a missing stage in a pipeline',
      () => h.crm.resolveStage('Qualified', 'Main Sales'),
      'Stage "Qualified" does not exist in pipeline "Main Sales". Stages: New, Contacted, Estimate Sent, Won, Lost.',
      'stage',
    ],
    [
      'a missing stage anywhere',
      () => h.crm.resolveStage('Qualified'),
      'Stage "Qualified" does not exist. Stages by pipeline: Main Sales: New, Contacted, Estimate Sent, Won, Lost.',
      'stage',
    ],
    [
      'a missing pipeline',
      () => h.crm.resolveStage('New', 'Support'),
      'Pipeline "Support" does not exist. Pipelines: Main Sales.',
      'pipeline',
    ],
    [
      'a missing object type',
      () => h.crm.createRecord({ type: 'invoice' }),
      'Object type "invoice" does not exist. Object types: Lead, Job.',
      'type',
    ],
  ])('explains %s and names the options', (_label, act, message, field) => {
    expectCrmError(act, message, field);
  });

  it('never serves stale schema: rollbacks, other stores and caller mutations', () => {
    expect(() =>
      h.crm.transaction(() => {
        h.crm.createPipeline({ name: 'Temp', stages: ['One'] });
        expect(h.crm.getPipeline('temp')?.stages).toHaveLength(1);
        throw new Error('undo');
      }),
    ).toThrowError('undo');
    expect(h.crm.getPipeline('temp')).toBeUndefined();
    h.crm.createPipeline({ name: 'Other', stages: ['One'] });
    expect(h.crm.listPipelines().map((p) => p.name)).toEqual(['Main Sales', 'Other']);

    new CrmStore(h.db).createObjectType({ name: 'Estimate' });
    expect(h.crm.getObjectType('estimate')?.position).toBe(2);

    h.crm.getPipeline('main-sales')?.stages.pop();
    const types = h.crm.listObjectTypes();
    if (types[0]) types[0].name = 'Mutated';
    expect(h.crm.getPipeline('main-sales')?.stages).toHaveLength(5);
    expect(h.crm.getObjectType('lead')?.name).toBe('Lead');
  });

  it('asks for the pipeline when a stage name is in several pipelines', () => {
    h.crm.createPipeline({ name: 'Support', stages: ['New', 'Closed'] });
    expect(() => h.crm.resolveStage('New')).toThrowError(
      'Stage "New" exists in several pipelines ("Main Sales", "Support"); choose the pipeline too.',
    );
    expect(h.crm.resolveStage('New', 'support').pipeline.name).toBe('Support');
  });
});

describe('records', () => {
  it('creates a record with Kanvo-shaped events and a change', () => {
    const cause = { runId: 'run-1', workflowId: 'wf-1', depth: 1 };
    const record = h.crm.withCause(cause, () =>
      h.crm.createRecord({ type: 'lead', title: 'Smith Residence', pipeline: 'main-sales', stage: 'new', data: { phone: '555-999-0001' } }),
    );
    expect(record).toEqual({
      id: expect.any(String),
      title: 'Smith Residence',
      object_type_id: h.crm.getObjectType('lead')?.id,
      object_type: 'lead',
      pipeline_id: h.crm.getPipeline('main-sales')?.id,
      pipeline: 'Main Sales',
      stage_id: h.crm.resolveStage('New', 'main-sales').id,
      stage: 'New',
      assignee_id: null,
      data: { phone: '555-999-0001' },
      created_at: '2026-06-17T14:00:00.000Z',
      updated_at: '2026-06-17T14:00:00.000Z',
    });
    expect(eventNames()).toEqual(['record.created', 'pipeline.stage_changed']);
    expect(h.events[0]).toEqual({
      event: { event: 'record.created', workspace_id: h.crm.workspaceId(), timestamp: '2026-06-17T14:00:00.000Z', data: record },
      cause,
    });
    expect(h.events[1]?.event.data).toMatchObject({ id: record.id, from_stage_id: null, from_stage: null, to_stage: 'New' });
    expect(h.changes).toEqual([{ entity: 'record', id: record.id, op: 'create', before: null, after: record }]);
    expect(h.storedEvents()).toEqual([
      { event: 'record.created', cause: JSON.stringify(cause) },
      { event: 'pipeline.stage_changed', cause: JSON.stringify(cause) },
    ]);
  });

  it.each([
    ['no placement', {}, null],
    ['a pipeline only (first stage)', { pipeline: 'Main Sales' }, 'New'],
    ['a unique stage name without pipeline', { stage: 'Won' }, 'Won'],
  ])('places a new record with %s', (_label, placement, stage) => {
    const record = h.crm.createRecord({ type: 'Lead', ...placement });
    expect(record.title).toBe('Untitled');
    expect(record.stage).toBe(stage);
    expect(eventNames()).toEqual(stage ? ['record.created', 'pipeline.stage_changed'] : ['record.created']);
  });

  it.each([
    ['merge (default)', undefined, { phone: '555-0000', address: '1 Main St', value: 10 }],
    ['merge', 'merge' as const, { phone: '555-0000', address: '1 Main St', value: 10 }],
    ['replace', 'replace' as const, { phone: '555-0000', value: 10 }],
  ])('updates data in %s mode', (_label, dataMode, expected) => {
    const record = h.crm.createRecord({ type: 'lead', data: { phone: '555-1111', address: '1 Main St' } });
    reset();
    h.tick();
    const updated = h.crm.updateRecord(record.id, { data: { phone: '555-0000', value: 10 }, dataMode, title: 'Renamed' });
    expect(updated.data).toEqual(expected);
    expect(updated.title).toBe('Renamed');
    expect(updated.updated_at).toBe('2026-06-17T14:00:01.000Z');
    expect(updated.created_at).toBe(record.created_at);
    expect(eventNames()).toEqual(['record.updated']);
    expect(h.events[0]?.event.data).toEqual(updated);
    expect(h.changes).toEqual([{ entity: 'record', id: record.id, op: 'update', before: record, after: updated }]);
  });

  it('treats an update that changes nothing as a no-op', () => {
    const record = h.crm.createRecord({ type: 'lead', title: 'Same', data: { a: 1, b: { c: 2 } } });
    reset();
    expect(h.crm.updateRecord(record.id, { title: 'Same', data: { b: { c: 2 } } })).toEqual(record);
    expect(h.crm.updateRecord(record.id, { stage: undefined })).toEqual(record);
    expect(h.events).toEqual([]);
    expect(h.changes).toEqual([]);
  });

  it('moves a record between stages with from/to details', () => {
    const record = h.crm.createRecord({ type: 'lead', pipeline: 'main-sales' });
    reset();
    const cause = { depth: 2 };
    const moved = h.crm.withCause(cause, () => h.crm.moveStage(record.id, 'estimate sent'));
    expect(moved.stage).toBe('Estimate Sent');
    expect(eventNames()).toEqual(['record.updated', 'pipeline.stage_changed']);
    expect(h.events.every((e) => e.cause === cause)).toBe(true);
    expect(h.events[1]?.event.data).toEqual({
      ...moved,
      from_stage_id: record.stage_id,
      from_stage: 'New',
      to_stage_id: moved.stage_id,
      to_stage: 'Estimate Sent',
    });
    reset();
    expect(h.crm.moveStage(record.id, 'Estimate Sent', 'Main Sales')).toEqual(moved);
    expect(h.events).toEqual([]);
    expect(h.changes).toEqual([]);
  });

  it('moves to a stage of another pipeline only when told which pipeline', () => {
    h.crm.createPipeline({ name: 'Support', stages: ['Open', 'Closed'] });
    const record = h.crm.createRecord({ type: 'lead', pipeline: 'main-sales' });
    expect(() => h.crm.moveStage(record.id, 'Closed')).toThrowError('Stage "Closed" does not exist in pipeline "Main Sales"');
    expect(h.crm.moveStage(record.id, 'Closed', 'support')).toMatchObject({ pipeline: 'Support', stage: 'Closed' });
    expect(h.crm.updateRecord(record.id, { pipeline: 'Main Sales' })).toMatchObject({ pipeline: 'Main Sales', stage: 'New' });
  });

  it('soft-deletes a record: hidden everywhere but kept in the table', () => {
    const record = h.crm.createRecord({ type: 'lead', title: 'Gone soon' });
    h.crm.createRecord({ type: 'lead', title: 'Stays' });
    reset();
    expect(h.crm.deleteRecord(record.id)).toEqual({ deleted: true, id: record.id });
    expect(eventNames()).toEqual(['record.deleted']);
    expect(h.events[0]?.event.data).toEqual(record);
    expect(h.changes).toEqual([{ entity: 'record', id: record.id, op: 'delete', before: record, after: null }]);
    expect(h.crm.getRecord(record.id)).toBeUndefined();
    expect(h.crm.findRecords({ type: 'lead' }).map((r) => r.title)).toEqual(['Stays']);
    expect(h.crm.countRecords()).toBe(1);
    expect(h.db.prepare('SELECT deleted_at FROM records WHERE id = ?').pluck().get(record.id)).toBe('2026-06-17T14:00:00.000Z');
    expect(() => h.crm.deleteRecord(record.id)).toThrowError(CrmError);
    expect(() => h.crm.updateRecord(record.id, { title: 'x' })).toThrowError(`Record "${record.id}" does not exist`);
  });

  it('finds and counts records by type, pipeline, stage and title', () => {
    const make = (type: string, title: string, stage?: string) => {
      h.tick();
      return h.crm.createRecord({ type, title, ...(stage ? { pipeline: 'main-sales', stage } : {}) });
    };
    make('lead', 'Johnson Property - Lawn Care', 'New');
    make('lead', 'Smith Residence', 'Won');
    make('job', 'Johnson Property - Hedge', 'Won');
    make('job', 'Unplaced job');
    const cases: [RecordQuery, string[]][] = [
      [{}, ['Johnson Property - Lawn Care', 'Smith Residence', 'Johnson Property - Hedge', 'Unplaced job']],
      [{ type: 'lead' }, ['Johnson Property - Lawn Care', 'Smith Residence']],
      [{ search: 'JOHNSON' }, ['Johnson Property - Lawn Care', 'Johnson Property - Hedge']],
      [{ stage: 'won' }, ['Smith Residence', 'Johnson Property - Hedge']],
      [{ pipeline: 'Main Sales', type: 'job' }, ['Johnson Property - Hedge']],
      [{ limit: 2, offset: 1 }, ['Smith Residence', 'Johnson Property - Hedge']],
    ];
    for (const [query, titles] of cases) {
      expect(h.crm.findRecords(query).map((r: RecordRow) => r.title)).toEqual(titles);
      const { limit, offset: _offset, ...countQuery } = query;
      if (limit === undefined) expect(h.crm.countRecords(countQuery)).toBe(titles.length);
    }
    expect(() => h.crm.findRecords({ type: 'invoice' })).toThrowError(CrmError);
  });
});

describe('contacts', () => {
  it('upserts by email case-insensitively and merges fields', () => {
    const first = h.crm.upsertContact({ email: ' Sarah@Example.com ', first_name: 'Sarah', data: { source: 'web' }, tags: ['lead'] });
    expect(first.created).toBe(true);
    expect(first.contact).toMatchObject({ email: 'sarah@example.com', name: 'Sarah', tags: ['lead'] });
    expect(eventNames()).toEqual(['contact.created', 'contact.tagged']);
    reset();
    h.tick();
    const second = h.crm.upsertContact({ email: 'SARAH@EXAMPLE.COM', last_name: 'Johnson', data: { budget: 500 } });
    expect(second.created).toBe(false);
    expect(second.contact).toMatchObject({
      id: first.contact.id,
      name: 'Sarah Johnson',
      data: { source: 'web', budget: 500 },
      updated_at: '2026-06-17T14:00:01.000Z',
    });
    expect(eventNames()).toEqual(['contact.updated']);
    expect(h.changes).toEqual([{ entity: 'contact', id: first.contact.id, op: 'update', before: first.contact, after: second.contact }]);
    expect(h.crm.listContacts()).toHaveLength(1);
  });

  it('emits nothing and changes nothing when an upsert brings nothing new', () => {
    const { contact } = h.crm.upsertContact({ email: 'a@b.co', first_name: 'Ann', data: { x: 1 }, tags: ['vip'] });
    reset();
    const before = h.crm.dump();
    h.tick();
    const again = h.crm.upsertContact({ email: 'A@B.CO', first_name: 'Ann', data: { x: 1 }, tags: ['VIP', ' vip '] });
    expect(again).toEqual({ contact, created: false });
    expect(h.events).toEqual([]);
    expect(h.changes).toEqual([]);
    expect(h.crm.dump()).toEqual(before);
  });

  it.each([
    [
      'a duplicate email',
      () => h.crm.createContact({ email: 'TAKEN@example.com' }),
      'A contact with email "taken@example.com" already exists.',
    ],
    ['an invalid email', () => h.crm.createContact({ email: 'not-an-email' }), 'Email "not-an-email" is not an email address'],
    ['an unknown company', () => h.crm.createContact({ company_id: 'nope' }), 'Company "nope" does not exist.'],
    [
      'stealing an email',
      () => h.crm.updateContact(h.crm.createContact({ email: 'other@example.com' }).id, { email: 'taken@example.com' }),
      'Another contact already uses the email "taken@example.com".',
    ],
  ])('refuses %s', (_label, act, message) => {
    h.crm.createContact({ email: 'taken@example.com' });
    expect(act).toThrowError(message);
  });

  it('creates contacts without email and upserts them as new', () => {
    expect(h.crm.upsertContact({ first_name: 'Walk-in' }).created).toBe(true);
    expect(h.crm.upsertContact({ first_name: 'Walk-in' }).created).toBe(true);
    expect(h.crm.listContacts({ search: 'walk' })).toHaveLength(2);
  });

  it('tags with one event per new tag and untags with contact.updated', () => {
    const contact = h.crm.createContact({ email: 'tag@example.com', first_name: 'Tia' });
    reset();
    const tagged = h.crm.tagContact(contact.id, [' vip ', 'newsletter', 'vip', '']);
    expect(tagged.tags).toEqual(['newsletter', 'vip']);
    expect(h.events.map((e) => [e.event.event, e.event.data.tag])).toEqual([
      ['contact.tagged', 'vip'],
      ['contact.tagged', 'newsletter'],
    ]);
    expect(h.events[0]?.event.data).toMatchObject({ id: contact.id, email: 'tag@example.com', tags: ['newsletter', 'vip'] });
    expect(h.changes).toHaveLength(1);

    reset();
    expect(h.crm.tagContact(contact.id, ['VIP'])).toEqual(tagged);
    expect(h.events).toEqual([]);

    const untagged = h.crm.untagContact(contact.id, ['Vip', 'missing']);
    expect(untagged.tags).toEqual(['newsletter']);
    expect(eventNames()).toEqual(['contact.updated']);
    reset();
    h.crm.untagContact(contact.id, ['missing']);
    expect(h.events).toEqual([]);
  });

  it('lists contacts by tag and search, and links companies', () => {
    const company = h.crm.createCompany({ name: 'Greenway PM', domain: 'GreenwayPM.example' });
    expect(company.domain).toBe('greenwaypm.example');
    h.crm.createContact({
      email: 'grace@greenwaypm.example',
      first_name: 'Grace',
      last_name: 'Kim',
      company_id: company.id,
      tags: ['vip'],
    });
    h.tick();
    h.crm.createContact({ email: 'tom@example.com', first_name: 'Tom', phone: '555-0111', tags: ['newsletter'] });
    expect(h.crm.listContacts({ tag: 'VIP' }).map((c) => c.name)).toEqual(['Grace Kim']);
    expect(h.crm.listContacts({ search: 'grace kim' }).map((c) => c.name)).toEqual(['Grace Kim']);
    expect(h.crm.listContacts({ search: 'KIM' }).map((c) => c.company_id)).toEqual([company.id]);
    expect(h.crm.listContacts({ search: '0111' }).map((c) => c.name)).toEqual(['Tom']);
    expect(h.crm.listContacts({ limit: 1, offset: 1 }).map((c) => c.name)).toEqual(['Tom']);
    expect(h.crm.findContactByEmail('TOM@example.com')?.name).toBe('Tom');
    expect(h.crm.listCompanies().map((c) => c.name)).toEqual(['Greenway PM']);
    expect(h.changes.map((c) => `${c.entity}:${c.op}`)).toEqual(['company:create', 'contact:create', 'contact:create']);
  });
});

describe('tasks', () => {
  it('creates, updates, completes and deletes a task with the right events', () => {
    const record = h.crm.createRecord({ type: 'lead', title: 'Smith' });
    reset();
    const task = h.crm.createTask({ title: 'Call Smith', record_id: record.id, due_date: '2026-06-20' });
    expect(task).toMatchObject({ title: 'Call Smith', record_id: record.id, completed: false, completed_at: null });
    expect(eventNames()).toEqual(['task.created']);

    h.tick();
    const updated = h.crm.updateTask(task.id, { notes: 'Ask about the hedge', due_date: '2026-06-21' });
    expect(updated).toMatchObject({ notes: 'Ask about the hedge', due_date: '2026-06-21', updated_at: '2026-06-17T14:00:01.000Z' });
    const done = h.crm.completeTask(task.id);
    expect(done).toMatchObject({ completed: true, completed_at: '2026-06-17T14:00:01.000Z' });
    expect(eventNames()).toEqual(['task.created', 'task.updated', 'task.updated', 'task.completed']);
    expect(h.events.at(-1)?.event.data).toEqual(done);

    reset();
    expect(h.crm.completeTask(task.id)).toEqual(done);
    expect(h.events).toEqual([]);
    expect(h.crm.updateTask(task.id, { completed: false })).toMatchObject({ completed: false, completed_at: null });
    expect(eventNames()).toEqual(['task.updated']);

    reset();
    expect(h.crm.deleteTask(task.id)).toEqual({ deleted: true, id: task.id });
    expect(eventNames()).toEqual(['task.deleted']);
    expect(h.crm.getTask(task.id)).toBeUndefined();
    expect(h.crm.listTasks()).toEqual([]);
  });

  it.each([
    ['a missing record', { title: 'x', record_id: 'nope' }, 'Record "nope" does not exist (it may have been deleted).', 'record_id'],
    ['a missing contact', { title: 'x', contact_id: 'nope' }, 'Contact "nope" does not exist.', 'contact_id'],
    ['a blank title', { title: '  ' }, 'Task title is required, got "  ".', 'title'],
    [
      'a bad due date',
      { title: 'x', due_date: 'next week' },
      'Due date "next week" is not a date; expected YYYY-MM-DD, e.g. 2026-06-30.',
      'due_date',
    ],
  ])('refuses a task with %s', (_label, input, message, field) => {
    expectCrmError(() => h.crm.createTask(input), message, field);
    expect(h.crm.listTasks()).toEqual([]);
  });

  it('lists tasks by record, contact, completion and overdue day', () => {
    const record = h.crm.createRecord({ type: 'lead' });
    const contact = h.crm.createContact({ email: 'c@example.com' });
    const task = (title: string, due_date: string | null, extra = {}) => h.crm.createTask({ title, due_date, ...extra });
    task('overdue', '2026-06-15', { record_id: record.id });
    task('due today', '2026-06-17T09:00:00Z', { contact_id: contact.id });
    task('future', '2026-07-01', { record_id: record.id });
    task('undated', null);
    const done = task('done but old', '2026-06-01');
    h.crm.completeTask(done.id);

    const titles = (query: Parameters<CrmStore['listTasks']>[0]) => h.crm.listTasks(query).map((t) => t.title);
    expect(titles({})).toEqual(['done but old', 'overdue', 'due today', 'future', 'undated']);
    expect(titles({ overdueOn: '2026-06-17' })).toEqual(['overdue']);
    expect(titles({ overdueOn: '2026-06-18' })).toEqual(['overdue', 'due today']);
    expect(titles({ record_id: record.id })).toEqual(['overdue', 'future']);
    expect(titles({ contact_id: contact.id })).toEqual(['due today']);
    expect(titles({ completed: true })).toEqual(['done but old']);
    expect(titles({ completed: false, limit: 2 })).toEqual(['overdue', 'due today']);
    expect(() => titles({ overdueOn: 'tomorrow' })).toThrowError(CrmError);
  });
});

describe('notes, activities and forms', () => {
  it('adds notes and activities without events but with changes', () => {
    const record = h.crm.createRecord({ type: 'lead' });
    reset();
    const note = h.crm.addNote({ record_id: record.id, body: 'Prefers mornings' });
    const activity = h.crm.logActivity({ record_id: record.id, type: 'call', summary: 'Left a voicemail', data: { minutes: 2 } });
    expect(h.events).toEqual([]);
    expect(h.changes.map((c) => [c.entity, c.op, c.after])).toEqual([
      ['note', 'create', note],
      ['activity', 'create', activity],
    ]);
    expect(h.crm.listNotes({ record_id: record.id })).toEqual([note]);
    expect(h.crm.listActivities({ record_id: record.id })).toEqual([activity]);
    expect(h.crm.listNotes({ contact_id: 'other' })).toEqual([]);
    expect(() => h.crm.addNote({ body: ' ' })).toThrowError('Note text is required');
  });

  it('records a form submission with form.submitted', () => {
    const submission = h.crm.submitForm({ form: 'Quote request', fields: { email: 'x@example.com', service: 'Lawn care' } });
    expect(eventNames()).toEqual(['form.submitted']);
    expect(h.events[0]?.event).toEqual({
      event: 'form.submitted',
      workspace_id: h.crm.workspaceId(),
      timestamp: '2026-06-17T14:00:00.000Z',
      data: submission,
    });
    expect(h.changes).toEqual([{ entity: 'form_submission', id: submission.id, op: 'create', before: null, after: submission }]);
  });
});

describe('transactions and causes', () => {
  it('leaves nothing behind, events included, when a transaction throws', () => {
    h.crm.createRecord({ type: 'lead', title: 'Before' });
    const before = h.crm.dump();
    const stored = h.storedEvents();
    expect(() =>
      h.crm.transaction(() => {
        const record = h.crm.createRecord({ type: 'lead', title: 'Doomed', pipeline: 'main-sales' });
        h.crm.createTask({ title: 'Doomed task', record_id: record.id });
        h.crm.upsertContact({ email: 'doomed@example.com', tags: ['x'] });
        h.crm.moveStage(record.id, 'Won');
        throw new Error('step 4 failed');
      }),
    ).toThrowError('step 4 failed');
    expect(h.crm.dump()).toEqual(before);
    expect(h.storedEvents()).toEqual(stored);
  });

  it('rolls back a write that fails half-way', () => {
    const before = h.crm.dump();
    expect(() => h.crm.createPipeline({ name: 'Support', stages: ['Open', 'open'] })).toThrowError(CrmError);
    expect(h.crm.dump()).toEqual(before);
    expect(h.crm.getPipeline('support')).toBeUndefined();
  });

  it('keeps an inner failure from undoing the outer work when caught (savepoints)', () => {
    h.crm.transaction(() => {
      h.crm.createRecord({ type: 'lead', title: 'Kept' });
      expect(() =>
        h.crm.transaction(() => {
          h.crm.createRecord({ type: 'lead', title: 'Undone' });
          throw new Error('inner');
        }),
      ).toThrowError('inner');
    });
    expect(h.crm.findRecords({}).map((r) => r.title)).toEqual(['Kept']);
    expect(h.storedEvents().map((e) => e.event)).toEqual(['record.created']);
  });

  it('restores the previous cause after withCause, even on throw', () => {
    const outer = { runId: 'outer', depth: 1 };
    const inner = { runId: 'inner', depth: 2 };
    h.crm.withCause(outer, () => {
      expect(() =>
        h.crm.withCause(inner, () => {
          h.crm.submitForm({ form: 'a', fields: {} });
          throw new Error('boom');
        }),
      ).toThrowError('boom');
      h.crm.submitForm({ form: 'b', fields: {} });
    });
    h.crm.submitForm({ form: 'c', fields: {} });
    expect(h.events.map((e) => e.cause)).toEqual([inner, outer, undefined]);
  });
});

describe('demo workspace and dump', () => {
  function fresh(): Harness {
    return open(fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-demo-')));
  }

  it('seeds the demo workspace once, silently', () => {
    const demo = fresh();
    try {
      expect(demo.crm.isEmpty()).toBe(true);
      expect(demo.crm.listPipelines()).toEqual([]);
      seedDemoWorkspace(demo.crm, { now: new Date(START) });
      expect(demo.events).toEqual([]);
      expect(demo.changes).toEqual([]);
      expect(demo.crm.listObjectTypes().map((t) => `${t.icon} ${t.name}`)).toEqual(['👤 Lead', '🔧 Job', '📋 Estimate', '🏠 Client']);
      expect(demo.crm.getPipeline('main-sales')?.stages.map((s) => s.name)).toEqual(STAGES);
      const contacts = demo.crm.listContacts();
      expect(contacts.length).toBeGreaterThanOrEqual(10);
      expect(contacts.every((c) => c.email && c.phone && c.first_name && c.last_name)).toBe(true);
      expect(demo.crm.listContacts({ tag: 'vip' }).length).toBeGreaterThan(0);
      expect(demo.crm.listCompanies().length).toBeGreaterThanOrEqual(2);
      const records = demo.crm.findRecords({});
      expect(records.length).toBeGreaterThanOrEqual(10);
      expect(new Set(records.map((r) => r.object_type))).toEqual(new Set(['lead', 'job', 'estimate', 'client']));
      expect(new Set(records.map((r) => r.stage).filter(Boolean)).size).toBeGreaterThanOrEqual(4);
      expect(records.some((r) => typeof r.data.value === 'number' && typeof r.data.address === 'string')).toBe(true);
      expect(demo.crm.listTasks({ overdueOn: '2026-06-17' })).toHaveLength(1);
      expect(demo.crm.listTasks({ completed: true }).length).toBeGreaterThan(0);
      expect(demo.crm.listNotes({})).toHaveLength(1);
      expect(demo.crm.listActivities({})).toHaveLength(1);

      const seeded = demo.crm.dump();
      seedDemoWorkspace(demo.crm);
      expect(demo.crm.dump()).toEqual(seeded);
    } finally {
      demo.db.close();
      fs.rmSync(demo.dir, { recursive: true, force: true });
    }
  });

  it('dumps every table in a stable order that survives reads and reopening', () => {
    h.crm.createRecord({ type: 'lead', title: 'A', data: { n: 1 } });
    h.crm.createContact({ email: 'z@example.com', tags: ['b', 'a'] });
    const first = h.crm.dump();
    expect(Object.keys(first)).toEqual([...CRM_TABLES]);
    h.crm.findRecords({ search: 'a' });
    h.crm.listContacts({ tag: 'a' });
    h.crm.listPipelines();
    expect(h.crm.dump()).toEqual(first);
    const ids = (first.records as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    h.db.close();
    const reopened = openDatabase(h.file);
    h = { ...h, db: reopened, crm: new CrmStore(reopened) };
    expect(h.crm.dump()).toEqual(first);
  });
});
