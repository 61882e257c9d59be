import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ActionDefinition, RunContext, TriggerDefinition, TriggerEvent } from '../../src-main/connectors/define.ts';
import { localCrm } from '../../src-main/connectors/local-crm.ts';
import { ConditionError } from '../../src-main/engine/conditions.ts';
import { type CrmEvent, CrmStore, type RecordRow } from '../../src-main/store/crm.ts';
import { type Db, openDatabase } from '../../src-main/store/db.ts';
import { seedDemoWorkspace } from '../../src-main/store/demo.ts';

let dir: string;
let db: Db;
let crm: CrmStore;
let events: CrmEvent[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-local-crm-'));
  db = openDatabase(path.join(dir, 'pipewright.db'));
  events = [];
  crm = new CrmStore(db, { onEvent: (event) => events.push(event) });
  seedDemoWorkspace(crm);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function action(key: string): ActionDefinition {
  const found = localCrm.actions.find((a) => a.key === key);
  if (!found) throw new Error(`no action ${key}`);
  return found;
}

function trigger(key: string): TriggerDefinition {
  const found = localCrm.triggers.find((t) => t.key === key);
  if (!found) throw new Error(`no trigger ${key}`);
  return found;
}

function context(def: ActionDefinition, params: Record<string, unknown>, scope: Record<string, unknown>): RunContext<unknown> {
  return {
    input: def.input.parse(params),
    crm,
    dryRun: false,
    cause: { depth: 0 },
    workflow: { id: 'wf-test', name: 'Test', timezone: 'UTC' },
    run: { id: 'run-test', startedAt: new Date().toISOString() },
    node: { id: 'step', name: 'Step', type: `local.${def.key}` },
    scope,
    signal: new AbortController().signal,
    now: () => new Date(),
    route: () => {},
  };
}

/** Runs an action the way the engine does (synchronously) and checks its output against its own schema. */
function run<T = Record<string, unknown>>(key: string, params: Record<string, unknown>, scope: Record<string, unknown> = {}): T {
  const def = action(key);
  const output = def.run(context(def, params, scope));
  expect(output).not.toBeInstanceOf(Promise);
  // Equality after parsing also proves the schema lists every field, so the data picker offers them all.
  expect(def.output.parse(output)).toEqual(output);
  return output as T;
}

function record(title: string): RecordRow {
  const [found] = crm.findRecords({ search: title });
  if (!found) throw new Error(`no record ${title}`);
  return found;
}

function contactId(email: string): string {
  const found = crm.findContactByEmail(email);
  if (!found) throw new Error(`no contact ${email}`);
  return found.id;
}

function lastEvent(name: string): TriggerEvent {
  const found = events.filter((e) => e.event === name).at(-1);
  if (!found) throw new Error(`no ${name} event`);
  return { ...found };
}

function matches(key: string, params: Record<string, unknown>, event: TriggerEvent): boolean {
  const def = trigger(key);
  if (!def.matches) throw new Error(`${key} has no matches()`);
  return def.matches(def.params.parse(params), event, crm);
}

describe('local CRM connector: declarations', () => {
  const nodes = [...localCrm.actions, ...localCrm.triggers];

  it('uses the persisted node keys', () => {
    expect(localCrm.actions.map((a) => a.key)).toEqual([
      'createRecord',
      'updateRecord',
      'moveStage',
      'findRecords',
      'getRecord',
      'deleteRecord',
      'createTask',
      'updateTask',
      'completeTask',
      'findTasks',
      'createOrUpdateContact',
      'findContact',
      'tagContact',
      'untagContact',
      'addNote',
      'logActivity',
    ]);
    expect(localCrm.triggers.map((t) => t.key)).toEqual([
      'recordCreated',
      'recordUpdated',
      'recordDeleted',
      'stageChanged',
      'taskCreated',
      'taskCompleted',
      'contactCreated',
      'contactUpdated',
      'contactTagged',
      'formSubmitted',
    ]);
    for (const node of nodes) expect(node.key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
  });

  it.each(nodes.map((n) => [n.key, n] as const))('%s: sample parses with its output schema', (_key, node) => {
    expect(() => node.output.parse(node.sample)).not.toThrow();
  });

  it.each(localCrm.actions.map((a) => [a.key, a] as const))('%s: writes are transactional, reads are not', (_key, def) => {
    expect(def.transactional ?? false).toBe(def.effect === 'write');
  });

  it.each(localCrm.triggers.map((t) => [t.key, t] as const))('%s: listens to local events and accepts empty filters', (_key, def) => {
    expect(def.source).toBe('local');
    expect(def.events).toHaveLength(1);
    expect(def.sample).toMatchObject({ event: def.events?.[0] });
    expect(() => def.params.parse({})).not.toThrow();
  });

  it.each(nodes.map((n) => [n.key, 'input' in n ? n.input : n.params] as const))(
    '%s: every input field has a title and a description',
    (_key, schema) => {
      const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, { title?: string; description?: string }> };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        expect(prop.title, name).toBeTruthy();
        expect(prop.description, name).toBeTruthy();
      }
    },
  );

  it('marks condition params as raw so the engine leaves them to the action', () => {
    expect(action('findRecords').rawParams).toEqual(['where']);
  });
});

describe('local CRM connector: record actions', () => {
  it('creates a record in a stage, treating empty optional fields as absent', () => {
    const out = run<RecordRow>('createRecord', {
      type: 'Lead',
      title: 'Kim Residence - Fall Cleanup',
      pipeline: 'main-sales',
      stage: 'contacted',
      data: { phone: '555-0199', value: 700 },
      assignee_id: '',
    });
    expect(out).toMatchObject({
      object_type: 'lead',
      pipeline: 'Main Sales',
      stage: 'Contacted',
      assignee_id: null,
      data: { phone: '555-0199', value: 700 },
    });
    expect(crm.getRecord(out.id)).toEqual(out);
    expect(events.map((e) => e.event)).toEqual(['record.created', 'pipeline.stage_changed']);
  });

  it('creates a record outside pipelines when none is given', () => {
    const out = run<RecordRow>('createRecord', { type: 'client', title: 'Patel Family', pipeline: '', stage: '', data: '' });
    expect(out).toMatchObject({ pipeline_id: null, stage_id: null, data: {} });
  });

  it('accepts fields mapped as JSON text', () => {
    const out = run<RecordRow>('createRecord', { type: 'job', title: 'Kim - Mulch', data: '{"crew":"Crew B"}' });
    expect(out.data).toEqual({ crew: 'Crew B' });
  });

  it.each([
    [
      'merge',
      { value: 1500 },
      { phone: '555-0101', email: 'sarah.johnson@example.com', address: '18 Maple Ave, Hartford CT', source: 'Website', value: 1500 },
    ],
    [
      '',
      { value: 1500 },
      { phone: '555-0101', email: 'sarah.johnson@example.com', address: '18 Maple Ave, Hartford CT', source: 'Website', value: 1500 },
    ],
    ['replace', { value: 1500 }, { value: 1500 }],
  ])('updates a record (mode %j)', (mode, data, expected) => {
    const before = record('Johnson Property');
    const out = run<RecordRow>('updateRecord', { record_id: before.id, title: 'Johnson Property - Full Service', data, mode });
    expect(out.title).toBe('Johnson Property - Full Service');
    expect(out.data).toEqual(expected);
    expect(crm.getRecord(before.id)).toEqual(out);
  });

  it('keeps everything left empty when updating a record, and can move its stage', () => {
    const before = record('Johnson Property');
    const out = run<RecordRow>('updateRecord', { record_id: before.id, title: '', data: '', stage: 'Won' });
    expect(out).toMatchObject({ title: before.title, data: before.data, stage: 'Won' });
  });

  it('moves a record to a stage by name, slug or id', () => {
    const rec = record('Smith Residence');
    expect(run<RecordRow>('moveStage', { record_id: rec.id, stage: 'estimate-sent' }).stage).toBe('Estimate Sent');
    expect(run<RecordRow>('moveStage', { record_id: rec.id, stage: 'WON', pipeline: 'Main Sales' }).stage).toBe('Won');
    const lost = crm.resolveStage('Lost', 'main-sales');
    expect(run<RecordRow>('moveStage', { record_id: rec.id, stage: lost.id }).stage_id).toBe(lost.id);
    expect(crm.getRecord(rec.id)?.stage).toBe('Lost');
    expect(lastEvent('pipeline.stage_changed').data).toMatchObject({ from_stage: 'Won', to_stage: 'Lost' });
  });

  it('gets and deletes a record', () => {
    const rec = record('Brown Residence');
    expect(run<RecordRow>('getRecord', { record_id: rec.id })).toEqual(rec);
    expect(run('deleteRecord', { record_id: rec.id })).toEqual({ deleted: true, id: rec.id });
    expect(crm.getRecord(rec.id)).toBeUndefined();
    expect(lastEvent('record.deleted').data.id).toBe(rec.id);
  });

  it.each([
    ['getRecord', { record_id: 'no-such-record' }, /Record "no-such-record" does not exist/],
    ['deleteRecord', { record_id: 'no-such-record' }, /Record "no-such-record" does not exist/],
    ['updateRecord', { record_id: 'no-such-record', title: 'x' }, /Record "no-such-record" does not exist/],
    ['moveStage', { record_id: 'no-such-record', stage: 'Won' }, /Record "no-such-record" does not exist/],
    [
      'createRecord',
      { type: 'lead', title: 'x', pipeline: 'main-sales', stage: 'Negotiation' },
      /Stage "Negotiation" does not exist in pipeline "Main Sales"/,
    ],
    ['createRecord', { type: 'boat', title: 'x' }, /Object type "boat" does not exist/],
    ['createTask', { title: 'x', record_id: 'no-such-record' }, /Record "no-such-record" does not exist/],
    ['completeTask', { task_id: 'no-such-task' }, /Task "no-such-task" does not exist/],
    ['tagContact', { contact_id: 'no-such-contact', tags: 'vip' }, /Contact "no-such-contact" does not exist/],
  ])('%s names what is missing', (key, params, message) => {
    expect(() => run(key, params)).toThrow(message);
  });

  it('names the stage that does not exist when moving', () => {
    const rec = record('Smith Residence');
    expect(() => run('moveStage', { record_id: rec.id, stage: 'Negotiation' })).toThrow(
      /Stage "Negotiation" does not exist.*Stages: New, Contacted/,
    );
  });

  it.each([
    ['createRecord', { type: 'lead' }, 'Title is required.'],
    ['createRecord', { type: 'lead', title: '   ' }, 'Title is required.'],
    ['moveStage', { record_id: 'x', stage: '' }, 'Stage is required.'],
    ['findRecords', { limit: 'lots' }, 'Enter a number.'],
    ['findRecords', { limit: 501 }, ''],
    ['updateRecord', { record_id: 'x', mode: 'append' }, 'Choose "merge" or "replace".'],
    ['createTask', { title: 'x', due_date: 'next friday' }, 'is not a date'],
    ['tagContact', { contact_id: 'x', tags: ' , ' }, 'Add at least one tag.'],
    ['addNote', { body: 'Hello' }, 'Choose the record or the contact this belongs to.'],
  ])('%s rejects bad input %j', (key, params, message) => {
    const result = action(key).input.safeParse(params);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});

describe('local CRM connector: findRecords', () => {
  type Found = { records: RecordRow[]; count: number; first: RecordRow | null };
  const titles = (out: Found) => out.records.map((r) => r.title);

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'by type',
      { type: 'Lead' },
      [
        'Johnson Property - Lawn Care',
        'Smith Residence - Spring Cleanup',
        'Nguyen Residence - Gutter Cleaning',
        'Patel Family - Patio Install',
        'Oak & Pine Realty - Seasonal Maintenance',
      ],
    ],
    [
      'by stage',
      { pipeline: 'Main Sales', stage: 'estimate sent' },
      ['Garcia Backyard - Retaining Wall', 'Greenway PM - Seasonal Contract'],
    ],
    ['by title', { search: 'RESIDENCE', type: 'job' }, ['Miller Residence - Hedge Trimming', 'Brown Residence - Mulching']],
    ['with a limit from a template', { type: 'lead', limit: '2' }, ['Johnson Property - Lawn Care', 'Smith Residence - Spring Cleanup']],
    [
      'with conditions',
      { type: 'lead', where: { match: 'all', conditions: [{ field: 'record.data.value', operator: 'gt', value: 1000 }] } },
      ['Johnson Property - Lawn Care', 'Patel Family - Patio Install', 'Oak & Pine Realty - Seasonal Maintenance'],
    ],
    [
      'with "any" conditions on the title',
      {
        where: {
          match: 'any',
          conditions: [
            { field: 'record.title', operator: 'startswith', value: 'garcia' },
            { field: 'record.title', operator: 'endswith', value: 'mulching' },
          ],
        },
      },
      ['Garcia Backyard - Retaining Wall', 'Brown Residence - Mulching'],
    ],
    [
      'skipping records that lack the field',
      { where: { match: 'all', conditions: [{ field: 'record.data.crew', operator: 'eq', value: 'Crew A' }] } },
      ['Miller Residence - Hedge Trimming', 'Brown Residence - Mulching'],
    ],
    [
      'ignoring an empty condition group',
      { type: 'estimate', where: { match: 'all', conditions: [] } },
      ['Garcia Backyard - Retaining Wall', 'Greenway PM - Seasonal Contract', 'Oak & Pine - Listing Prep'],
    ],
    ['finding nothing', { search: 'no such title' }, []],
  ])('finds records %s', (_name, params, expected) => {
    const out = run<Found>('findRecords', params);
    expect(titles(out)).toEqual(expected);
    expect(out.count).toBe(expected.length);
    expect(out.first?.title ?? null).toBe(expected[0] ?? null);
  });

  it('renders condition values against the run data', () => {
    const where = { match: 'all', conditions: [{ field: 'record.data.phone', operator: 'eq', value: '{{ trigger.data.phone }}' }] };
    const out = run<Found>('findRecords', { type: 'lead', where }, { trigger: { data: { phone: '555-0103' } } });
    expect(titles(out)).toEqual(['Nguyen Residence - Gutter Cleaning']);
  });

  it('reports a condition field that no record has', () => {
    const where = { match: 'all', conditions: [{ field: 'record.data.colour', operator: 'eq', value: 'red' }] };
    expect(() => run('findRecords', { where })).toThrow(ConditionError);
  });

  it('pages through many records when conditions filter them', () => {
    // A ticking clock gives the bulk records a stable creation order.
    let clock = Date.now();
    const tick = () => {
      clock += 1000;
      return new Date(clock);
    };
    const bulk = new CrmStore(db, { now: tick });
    bulk.transaction(() => {
      for (let i = 0; i < 450; i++) bulk.createRecord({ type: 'lead', title: `Bulk lead ${i}`, data: { n: i } });
    });
    const where = { match: 'all', conditions: [{ field: 'record.data.n', operator: 'gte', value: 440 }] };
    expect(run<Found>('findRecords', { where }).count).toBe(10);
    expect(titles(run<Found>('findRecords', { where, limit: 3 }))).toEqual(['Bulk lead 440', 'Bulk lead 441', 'Bulk lead 442']);
    expect(run<Found>('findRecords', { type: 'lead', limit: 500 }).count).toBe(455);
  });

  it('names a stage that does not exist', () => {
    expect(() => run('findRecords', { pipeline: 'main-sales', stage: 'Paid' })).toThrow(/Stage "Paid" does not exist/);
  });
});

describe('local CRM connector: tasks', () => {
  it('adds a task linked to a record and a contact', () => {
    const rec = record('Smith Residence');
    const contact = contactId('mike.smith@example.net');
    const out = run<{ id: string }>('createTask', {
      title: 'Call Mike about cleanup',
      record_id: rec.id,
      contact_id: contact,
      due_date: '2026-07-01',
      notes: 'Prefers mornings',
      assignee_id: '',
    });
    expect(crm.getTask(out.id)).toMatchObject({
      title: 'Call Mike about cleanup',
      record_id: rec.id,
      contact_id: contact,
      due_date: '2026-07-01',
      notes: 'Prefers mornings',
      assignee_id: null,
      completed: false,
    });
    expect(lastEvent('task.created').data.id).toBe(out.id);
  });

  it('adds a standalone task when links are left empty', () => {
    const out = run<{ id: string }>('createTask', { title: 'Order mulch', record_id: '', contact_id: null, due_date: '' });
    expect(crm.getTask(out.id)).toMatchObject({ record_id: null, contact_id: null, due_date: null });
  });

  it.each([
    ['true', true],
    ['yes', true],
    [1, true],
    ['false', false],
  ])('updates a task (completed %j)', (completed, expected) => {
    const task = crm.createTask({ title: 'Send invoice', due_date: '2026-07-01', notes: 'Net 30' });
    const out = run<{ completed: boolean }>('updateTask', {
      task_id: task.id,
      title: 'Send final invoice',
      due_date: '2026-07-03',
      notes: '',
      completed,
    });
    expect(out.completed).toBe(expected);
    expect(crm.getTask(task.id)).toMatchObject({
      title: 'Send final invoice',
      due_date: '2026-07-03',
      notes: 'Net 30',
      completed: expected,
    });
  });

  it('completes a task', () => {
    const task = crm.createTask({ title: 'Confirm crew' });
    const out = run<{ completed: boolean; completed_at: string | null }>('completeTask', { task_id: task.id });
    expect(out.completed).toBe(true);
    expect(out.completed_at).toBeTruthy();
    expect(crm.getTask(task.id)?.completed).toBe(true);
    expect(lastEvent('task.completed').data.id).toBe(task.id);
  });
});

describe('local CRM connector: contacts, notes, activities', () => {
  type ContactOut = {
    id: string;
    email: string | null;
    phone: string | null;
    tags: string[];
    data: Record<string, unknown>;
    created?: boolean;
  };

  it('creates a contact when the email is new', () => {
    const out = run<ContactOut>('createOrUpdateContact', {
      email: 'new.lead@example.com',
      first_name: 'Nora',
      last_name: 'Lee',
      phone: 5550199,
      data: { source: 'Website' },
      tags: 'lead, website',
    });
    expect(out).toMatchObject({
      created: true,
      email: 'new.lead@example.com',
      phone: '5550199',
      tags: ['lead', 'website'],
      data: { source: 'Website' },
    });
    expect(crm.getContact(out.id)?.name).toBe('Nora Lee');
  });

  it('updates the contact with the same email, whatever its letter case', () => {
    const id = contactId('sarah.johnson@example.com');
    const out = run<ContactOut>('createOrUpdateContact', {
      email: ' Sarah.Johnson@Example.com ',
      first_name: '',
      phone: '555-0999',
      tags: ['lawn'],
    });
    expect(out).toMatchObject({ id, created: false, phone: '555-0999', tags: ['customer', 'lawn', 'vip'] });
    expect(crm.getContact(id)).toMatchObject({ first_name: 'Sarah', phone: '555-0999' });
  });

  it.each([
    ['PRIYA.PATEL@example.com', true],
    ['nobody@example.com', false],
  ])('finds a contact by email (%s)', (email, found) => {
    const out = run<{ found: boolean; contact: ContactOut | null }>('findContact', { email });
    expect(out.found).toBe(found);
    expect(out.contact?.email ?? null).toBe(found ? 'priya.patel@example.com' : null);
  });

  it.each<[string, unknown, string[], string[]]>([
    ['a comma-separated string', 'hot, VIP', ['customer', 'hot', 'vip'], ['hot']],
    ['a list', ['spring', ' fall '], ['customer', 'fall', 'spring', 'vip'], ['spring', 'fall']],
  ])('tags a contact from %s', (_name, tags, expected, tagged) => {
    const id = contactId('sarah.johnson@example.com');
    expect(run<ContactOut>('tagContact', { contact_id: id, tags }).tags).toEqual(expected);
    expect(crm.getContact(id)?.tags).toEqual(expected);
    expect(events.filter((e) => e.event === 'contact.tagged').map((e) => e.data.tag)).toEqual(tagged);
  });

  it('removes tags from a contact', () => {
    const id = contactId('dbrown@example.org');
    expect(run<ContactOut>('untagContact', { contact_id: id, tags: 'NEWSLETTER, not-there' }).tags).toEqual(['customer']);
    expect(crm.getContact(id)?.tags).toEqual(['customer']);
  });

  it('adds a note to a record', () => {
    const rec = record('Patel Family');
    const out = run<{ id: string }>('addNote', { record_id: rec.id, contact_id: '', body: 'Wants pavers, not concrete.' });
    expect(crm.listNotes({ record_id: rec.id })).toEqual([
      expect.objectContaining({ id: out.id, body: 'Wants pavers, not concrete.', contact_id: null }),
    ]);
  });

  it('logs an activity on a contact', () => {
    const id = contactId('linh.nguyen@example.org');
    const out = run<{ id: string }>('logActivity', {
      contact_id: id,
      type: 'sms',
      summary: 'Sent the quote link.',
      data: { template: 'quote' },
    });
    expect(crm.listActivities({ contact_id: id })).toContainEqual(
      expect.objectContaining({ id: out.id, type: 'sms', summary: 'Sent the quote link.', data: { template: 'quote' }, record_id: null }),
    );
  });
});

describe('local CRM connector: trigger filters', () => {
  it('filters record.created by object type, pipeline and stage', () => {
    crm.createRecord({ type: 'lead', title: 'Kim Residence', pipeline: 'main-sales', stage: 'Contacted' });
    const event = lastEvent('record.created');
    const stage = crm.resolveStage('Contacted', 'main-sales');
    const cases: [Record<string, unknown>, boolean][] = [
      [{}, true],
      [{ objectType: 'Lead' }, true],
      [{ objectType: 'lead', pipeline: 'Main Sales', stage: 'contacted' }, true],
      [{ stage: stage.id }, true],
      [{ objectType: '', pipeline: '', stage: '' }, true],
      [{ objectType: 'job' }, false],
      [{ pipeline: 'service' }, false],
      [{ stage: 'New' }, false],
    ];
    for (const [params, expected] of cases) expect(matches('recordCreated', params, event), JSON.stringify(params)).toBe(expected);
    expect(trigger('recordCreated').output.parse(event)).toEqual(event);
  });

  it('does not match a stage filter for a record outside pipelines', () => {
    crm.createRecord({ type: 'client', title: 'Kim Family' });
    expect(matches('recordCreated', { stage: 'New' }, lastEvent('record.created'))).toBe(false);
  });

  it.each([
    ['recordUpdated', 'record.updated'],
    ['recordDeleted', 'record.deleted'],
  ])('filters %s by object type', (key, name) => {
    const rec = record('Garcia Backyard');
    if (name === 'record.updated') crm.updateRecord(rec.id, { title: 'Garcia Backyard - Stone Wall' });
    else crm.deleteRecord(rec.id);
    const event = lastEvent(name);
    expect(matches(key, {}, event)).toBe(true);
    expect(matches(key, { objectType: 'Estimate' }, event)).toBe(true);
    expect(matches(key, { objectType: 'lead' }, event)).toBe(false);
    expect(trigger(key).output.parse(event)).toEqual(event);
  });

  it('filters pipeline.stage_changed by pipeline and stages, in any letter case', () => {
    crm.createPipeline({ name: 'Service', stages: ['New', 'Scheduled', 'Done'] });
    const rec = record('Smith Residence');
    crm.moveStage(rec.id, 'Contacted');
    const event = lastEvent('pipeline.stage_changed');
    const from = crm.resolveStage('New', 'main-sales');
    const cases: [Record<string, unknown>, boolean][] = [
      [{}, true],
      [{ toStage: 'contacted' }, true],
      [{ toStage: 'CONTACTED', fromStage: 'new' }, true],
      [{ fromStage: from.id }, true],
      [{ objectType: 'lead', pipeline: 'main-sales', toStage: 'Contacted', fromStage: 'New' }, true],
      [{ toStage: 'Won' }, false],
      [{ fromStage: 'Contacted' }, false],
      [{ fromStage: crm.resolveStage('New', 'service').id }, false],
      [{ pipeline: 'Service' }, false],
      [{ objectType: 'job' }, false],
    ];
    for (const [params, expected] of cases) expect(matches('stageChanged', params, event), JSON.stringify(params)).toBe(expected);
    expect(trigger('stageChanged').output.parse(event)).toEqual(event);
  });

  it('does not match a "moved from" filter when the record had no stage', () => {
    crm.createRecord({ type: 'lead', title: 'Kim Residence', pipeline: 'main-sales' });
    const event = lastEvent('pipeline.stage_changed');
    expect(matches('stageChanged', { toStage: 'new' }, event)).toBe(true);
    expect(matches('stageChanged', { fromStage: 'new' }, event)).toBe(false);
  });

  it('matches task events without filters', () => {
    const task = crm.createTask({ title: 'Call back' });
    crm.completeTask(task.id);
    for (const [key, name] of [
      ['taskCreated', 'task.created'],
      ['taskCompleted', 'task.completed'],
    ] as const) {
      const event = lastEvent(name);
      expect(matches(key, {}, event)).toBe(true);
      expect(trigger(key).output.parse(event)).toEqual(event);
    }
  });

  it('filters contact.created and contact.updated by a tag the contact has', () => {
    crm.createContact({ email: 'nora@example.com', first_name: 'Nora', tags: ['VIP'] });
    const created = lastEvent('contact.created');
    crm.updateContact(contactId('nora@example.com'), { phone: '555-0177' });
    const updated = lastEvent('contact.updated');
    for (const [key, event] of [
      ['contactCreated', created],
      ['contactUpdated', updated],
    ] as const) {
      expect(matches(key, {}, event)).toBe(true);
      expect(matches(key, { tag: 'vip' }, event)).toBe(true);
      expect(matches(key, { tag: 'newsletter' }, event)).toBe(false);
      expect(trigger(key).output.parse(event)).toEqual(event);
    }
  });

  it('filters contact.tagged by the tag just added', () => {
    crm.tagContact(contactId('linh.nguyen@example.org'), ['hot']);
    const event = lastEvent('contact.tagged');
    expect(matches('contactTagged', {}, event)).toBe(true);
    expect(matches('contactTagged', { tag: 'HOT' }, event)).toBe(true);
    expect(matches('contactTagged', { tag: 'vip' }, event)).toBe(false);
    expect(trigger('contactTagged').output.parse(event)).toEqual(event);
  });

  it('filters form.submitted by form name', () => {
    crm.submitForm({ form: 'Contact us', fields: { email: 'nora@example.com', message: 'Quote please' } });
    const event = lastEvent('form.submitted');
    expect(matches('formSubmitted', {}, event)).toBe(true);
    expect(matches('formSubmitted', { form: 'contact US' }, event)).toBe(true);
    expect(matches('formSubmitted', { form: 'Newsletter signup' }, event)).toBe(false);
    expect(trigger('formSubmitted').output.parse(event)).toEqual(event);
  });
});
