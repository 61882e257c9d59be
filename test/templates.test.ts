import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../src-main/app.ts';
import { ConnectorRegistry } from '../src-main/connectors/index.ts';
import { validateWorkflow } from '../src-main/engine/validate.ts';
import { bundledTemplates } from '../src-main/templates/gallery.ts';
import { importTemplate } from '../src-main/templates/import.ts';
import { loadTemplate } from '../src-main/templates/load.ts';
import { templateRequirements } from '../src-main/templates/requirements.ts';
import { tempApp } from './helpers.ts';

const dir = join(import.meta.dirname, '..', 'templates');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('every template', () => {
  const registry = new ConnectorRegistry();
  it.each(files)('%s is a valid workflow a person can understand', (file) => {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const result = validateWorkflow(doc, registry);
    expect(result.issues).toEqual([]);
    expect(`${doc.id}.json`).toBe(file);
    expect(doc.description.length).toBeGreaterThan(40);
    expect(doc.category).toEqual(expect.any(String));
    for (const node of doc.nodes) expect(node.name, `${file}: step ${node.id} needs a name`).toEqual(expect.any(String));
  });

  it.each(files)('%s names every connection it uses and has an event to test with', (file) => {
    const { workflow } = loadTemplate(file.replace(/\.json$/, ''), registry);
    const used = new Set(workflow.nodes.flatMap((n) => (n.connection ? [n.connection] : [])));
    expect(Object.keys(workflow.connections).sort()).toEqual([...used].sort());
    const trigger = workflow.nodes.map((n) => registry.resolve(n.type)).find((r) => r?.kind === 'trigger');
    // A template ships a sample unless its trigger builds one from the CRM (or needs none: manual, schedule).
    if (!workflow.sample)
      expect(trigger?.kind === 'trigger' && (trigger.trigger.liveSample || trigger.trigger.source === 'schedule')).toBeTruthy();
  });
});

describe('the gallery', () => {
  const registry = new ConnectorRegistry();

  it('has at least 15 templates covering the local CRM and all five remote APIs', () => {
    const gallery = bundledTemplates(registry);
    expect(gallery).toHaveLength(files.length);
    expect(gallery.length).toBeGreaterThanOrEqual(15);
    const apps = new Set(gallery.flatMap((t) => t.apps.map((a) => a.id)));
    for (const app of ['local', 'kanvo', 'kanbert', 'konvox', 'crm-http', 'ghl']) expect(apps, app).toContain(app);
  });

  it('lists name, description, category, apps and step count for each, by category', () => {
    const gallery = bundledTemplates(registry);
    expect(gallery.find((t) => t.id === 'ghl-hot-tag-to-kanvo-lead')).toEqual({
      id: 'ghl-hot-tag-to-kanvo-lead',
      name: 'GHL contact tagged "hot": open a Kanvo lead',
      description: expect.stringContaining('open a lead for them in Kanvo'),
      category: 'Lead capture',
      apps: [
        { id: 'ghl', name: 'GHL Contacts' },
        { id: 'kanvo', name: 'Kanvo' },
      ],
      nodeCount: 5,
      trigger: 'GHL contact tags changed',
    });
    const categories = gallery.map((t) => t.category);
    expect(categories).toEqual([...categories].sort((a, b) => a.localeCompare(b)));
  });

  it('declares in `requires` what its steps need, so a reader of the file sees it too', () => {
    for (const file of files) {
      const { workflow } = loadTemplate(file.replace(/\.json$/, ''), registry);
      const needs = templateRequirements(workflow, registry);
      for (const type of needs.objectTypes) expect(workflow.requires?.objectTypes, `${file}: ${type.name}`).toContain(type.name);
    }
  });
});

/** Imports a template as a draft, checks its dry run changes nothing, and turns it on. */
async function importAndDryRun(app: App, name: string) {
  const imported = await importTemplate(app, loadTemplate(name, app.registry));
  expect(imported).toMatchObject({ workflowId: name, version: 1 });
  expect(app.workflows.versions(name)[0]?.note).toBe(`Imported from template ${name}`);
  const before = app.crm.dump();
  const dry = await app.run(name, { dryRun: true });
  expect(dry.status).toBe('succeeded');
  expect(app.crm.dump()).toEqual(before);
  // Saved exactly as the template reads (defaults filled in), nothing rewritten.
  expect(app.workflows.document(name)).toEqual(loadTemplate(name, app.registry).workflow);
  await app.setLive(name, true);
  app.start();
  return dry;
}

async function liveRuns(app: App, workflowId: string) {
  await app.settle();
  const runs = app.journal.list({ workflowId, mode: 'live' });
  for (const run of runs) expect(run.error).toBeNull();
  return runs;
}

describe('golden runs of the local templates', () => {
  it('local-form-to-lead: a form submission becomes a tagged contact, a lead at New and a note', async () => {
    const app = tempApp();
    const dry = await importAndDryRun(app, 'local-form-to-lead');
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([
      ['contact', 'create', 'Dana Reyes'],
      ['record', 'create', 'Dana Reyes - Website enquiry'],
      ['note', 'create', 'Asked on the website: Quote for weekly lawn care, about half an acre'],
    ]);

    app.crm.submitForm({
      form: 'Website contact',
      fields: { first_name: 'Ola', last_name: 'Berg', email: 'ola@example.com', message: 'Hedges' },
    });
    app.crm.submitForm({ form: 'Newsletter', fields: { email: 'someone@example.com' } });
    expect(await liveRuns(app, 'local-form-to-lead')).toHaveLength(1);
    expect(app.crm.findContactByEmail('ola@example.com')?.tags).toEqual(['web-lead']);
    const [lead] = app.crm.findRecords({ search: 'Ola Berg - Website enquiry' });
    expect(lead).toMatchObject({ object_type: 'lead', stage: 'New', data: { email: 'ola@example.com', source: 'Website form' } });
    expect(app.crm.listNotes({ record_id: lead?.id }).map((n) => n.body)).toEqual(['Asked on the website: Hedges']);
  });

  it('local-won-to-job: an estimate moved to Won opens a job with a kickoff task', async () => {
    const app = tempApp({ now: () => new Date('2026-06-17T14:20:00.000Z') });
    const dry = await importAndDryRun(app, 'local-won-to-job');
    expect(dry.changes.map((c) => [c.entity, c.op])).toEqual([
      ['record', 'create'],
      ['task', 'create'],
      ['contact', 'update'],
    ]);

    const [estimate] = app.crm.findRecords({ type: 'estimate', search: 'Garcia' });
    app.crm.moveStage(estimate?.id as string, 'Won');
    expect(await liveRuns(app, 'local-won-to-job')).toHaveLength(1);
    const [job] = app.crm.findRecords({ type: 'job' }).filter((r) => r.title === estimate?.title);
    expect(job?.data).toEqual(estimate?.data);
    const tasks = app.crm.listTasks({ record_id: job?.id }).map((t) => [t.title, t.due_date]);
    expect(tasks).toContainEqual([`Kickoff: ${estimate?.title}`, '2026-06-20']);

    // A job reaching Won is not a sale: the filter stops it.
    const [wonJob] = app.crm.findRecords({ type: 'job', search: 'Brown Residence' });
    app.crm.moveStage(wonJob?.id as string, 'Won', 'main-sales');
    const runs = await liveRuns(app, 'local-won-to-job');
    expect(runs).toHaveLength(2);
    expect(app.crm.findRecords({ type: 'job', search: 'Brown Residence' })).toHaveLength(1);
  });

  it('local-overdue-digest: the schedule adds one round-up task listing the overdue ones', async () => {
    const app = tempApp();
    const dry = await importAndDryRun(app, 'local-overdue-digest');
    expect(dry.changes).toHaveLength(1);

    app.scheduler.fire('local-overdue-digest');
    expect(await liveRuns(app, 'local-overdue-digest')).toHaveLength(1);
    const digest = app.crm.listTasks({}).find((t) => t.title.endsWith('overdue task(s) to catch up on'));
    expect(digest?.title).toBe('1 overdue task(s) to catch up on');
    expect(digest?.notes).toMatch(/^- Send patio estimate to the Patels \(due \d{4}-\d{2}-\d{2}\)/);
  });

  it('local-lead-follow-up: a new lead gets a task, its contact a tag, and it moves to Contacted', async () => {
    const app = tempApp();
    await importAndDryRun(app, 'local-lead-follow-up');
    const contact = app.crm.upsertContact({ email: 'lee@example.com', first_name: 'Lee' }).contact;
    const lead = app.crm.createRecord({
      type: 'lead',
      title: 'Lee Garden',
      pipeline: 'main-sales',
      stage: 'New',
      data: { email: contact.email },
    });
    expect(await liveRuns(app, 'local-lead-follow-up')).toHaveLength(1);
    expect(app.crm.getRecord(lead.id)?.stage).toBe('Contacted');
    expect(app.crm.listTasks({ record_id: lead.id }).map((t) => t.title)).toEqual(['Call Lee Garden']);
    expect(app.crm.getContact(contact.id)?.tags).toEqual(['new-lead']);
  });
});
