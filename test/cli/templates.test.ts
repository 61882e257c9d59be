import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app.ts';
import { CrmStore } from '../../src-main/store/crm.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempDir } from '../helpers.ts';
import { runCli } from './run-cli.ts';

/** `pipewright templates …` and `pipewright diff`, run as a user would. */

const cli = runCli;

/** A data directory whose sales pipeline calls its second stage "Called". */
async function accountWithCalledStage(): Promise<string> {
  const dataDir = tempDir();
  const app = createApp({ dataDir, demo: false });
  const crm = new CrmStore(app.db);
  crm.createObjectType({ name: 'Lead', slug: 'lead' });
  crm.createPipeline({ name: 'Main Sales', slug: 'main-sales', stages: ['New', 'Called', 'Won'] });
  await app.close();
  return dataDir;
}

let kanvo: KanvoServer | undefined;
afterEach(async () => {
  await kanvo?.close();
  kanvo = undefined;
});

describe('pipewright templates', () => {
  it('lists the gallery, as a table and as JSON, and shows what one template needs', async () => {
    const dataDir = tempDir();
    const [table, json, show] = await Promise.all([
      cli(dataDir, 'templates'),
      cli(dataDir, 'templates', 'list', '--json'),
      cli(dataDir, 'templates', 'show', 'kanvo-won-to-job'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+CATEGORY\s+APPS\s+STEPS\s+WHAT IT DOES/);
    expect(table.stdout).toMatch(/ghl-hot-tag-to-kanvo-lead\s+Lead capture\s+GHL Contacts, Kanvo\s+5\s+GHL contact tagged "hot"/);
    expect(JSON.parse(json.stdout).length).toBeGreaterThanOrEqual(15);

    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Kanvo: deal won, open the job and plan the kickoff (kanvo-won-to-job)');
    expect(show.stdout).toContain('  - a Kanvo connection "crm" (reads and writes; scopes write)');
    expect(show.stdout).toContain('  - the pipeline "jobs" with the stage "scheduled" in Kanvo');
    expect(show.stdout).toContain('Import it with: pipewright templates import kanvo-won-to-job --bind crm=CONNECTION');
  });

  it('refuses a template made by a newer Pipewright, and says why', async () => {
    const dir = tempDir();
    const file = join(dir, 'newer.json');
    const doc = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'local-form-to-lead.json'), 'utf8'));
    writeFileSync(file, JSON.stringify({ ...doc, format: 'pipewright.workflow/2' }));
    const result = await cli(dir, 'templates', 'show', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^newer\.json cannot be used: it was made with a newer Pipewright \(format version 2/);
  });

  it('cannot import without a connection: prints what is missing and how to fix it', async () => {
    const result = await cli(tempDir(), 'templates', 'import', 'kanvo-won-to-job');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot import the template kanvo-won-to-job yet. What is missing, and how to fix it:');
    expect(result.stderr).toContain('✗ The Kanvo connection "crm" is not chosen: No Kanvo connection is set up yet; add one first.');
    expect(result.stderr).toContain(
      '→ add one with "pipewright connections add NAME --app kanvo --base-url URL --api-key KEY", then --bind crm=NAME',
    );
  });

  it('a missing stage: the fix printed, then --map-stage or --create-missing import it', async () => {
    const mapped = await accountWithCalledStage();
    const refused = await cli(mapped, 'templates', 'import', 'local-lead-follow-up');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('✗ Stage "contacted" (pipeline "main-sales") is missing in the local CRM; the closest is "Called".');
    expect(refused.stderr).toContain(
      '→ map it to one you have with --map-stage contacted=Called, or add --create-missing to create it in the local CRM',
    );

    const created = await accountWithCalledStage();
    const [withMap, withCreate] = await Promise.all([
      cli(mapped, 'templates', 'import', 'local-lead-follow-up', '--map-stage', 'contacted=Called'),
      cli(created, 'templates', 'import', 'local-lead-follow-up', '--create-missing'),
    ]);
    expect(withMap.code).toBe(0);
    expect(withMap.stdout).toContain(
      'Imported "New lead: follow-up task, tag and stage" from template local-lead-follow-up as the draft "local-lead-follow-up" (version 1).',
    );
    expect(withMap.stdout).toContain('mapped: Stage "contacted" → "Called"');
    expect(withMap.stdout).toContain('Test it: pipewright run local-lead-follow-up --sample --dry-run');
    expect(withCreate.code).toBe(0);
    expect(withCreate.stdout).toContain('Added the stage "Contacted" to the pipeline "Main Sales".');
  });

  it('imports a Kanvo template checked against the workspace schema, and tests it with --dry-run', async () => {
    kanvo = await startKanvoServer();
    const dataDir = tempDir();
    const add = await cli(
      dataDir,
      'connections',
      'add',
      'kanvo-main',
      '--app',
      'kanvo',
      '--base-url',
      kanvo.url,
      '--api-key',
      kanvo.keys.write,
    );
    expect(add.code).toBe(0);
    const result = await cli(dataDir, 'templates', 'import', 'kanvo-won-to-job', '--bind', 'crm=kanvo-main', '--dry-run');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('connection "crm" → kanvo-main');
    expect(result.stdout).toMatch(/Run \S+ of "Kanvo: deal won, open the job and plan the kickoff": succeeded \(dry run\)/);
    expect(result.stdout).toContain(`→ POST ${kanvo.url}/records`);
    expect(result.stdout).toContain(`→ POST ${kanvo.url}/records/tasks`);
    expect(kanvo.requestsTo('/schema', 'GET').length).toBeGreaterThan(0);
    expect(kanvo.counts.writes).toBe(0);
  });

  it('exports a saved workflow as a template that imports again', async () => {
    const dataDir = tempDir();
    expect((await cli(dataDir, 'templates', 'import', 'local-won-to-job')).code).toBe(0);
    const file = join(tempDir(), 'shared.json');
    const exported = await cli(dataDir, 'templates', 'export', 'local-won-to-job', '--out', file);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Wrote the template "Deal won: open a job and plan the kickoff" to ${file}.`);
    const template = JSON.parse(readFileSync(file, 'utf8'));
    expect(template).toMatchObject({ id: 'local-won-to-job', requires: { objectTypes: ['job', 'lead', 'estimate'] } });

    const again = await cli(dataDir, 'templates', 'import', file, '--id', 'won-copy');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('as the draft "won-copy" (version 1)');
  });

  it('explains a mistyped option', async () => {
    const result = await cli(tempDir(), 'templates', 'import', 'local-won-to-job', '--bind', 'crm');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--bind "crm" must look like ALIAS=CONNECTION, e.g. --bind crm=kanvo-main.');
  });
});

describe('pipewright diff', () => {
  it('says in words what changed between two versions', async () => {
    const dataDir = tempDir();
    expect((await cli(dataDir, 'templates', 'import', 'local-lead-follow-up')).code).toBe(0);
    const doc = JSON.parse((await cli(dataDir, 'export', 'local-lead-follow-up')).stdout);
    const task = doc.nodes.find((n: { id: string }) => n.id === 'task');
    task.params.due_date = "{{ run.startedAt | date_add: 3, 'days' | date: '%Y-%m-%d' }}";
    task.name = 'Add a call task';
    doc.settings.timezone = 'Europe/Berlin';
    const file = join(tempDir(), 'v2.json');
    writeFileSync(file, JSON.stringify(doc));
    expect((await cli(dataDir, 'import', file, '--note', 'Three days, Berlin time')).code).toBe(0);

    const [latest, json, missing] = await Promise.all([
      cli(dataDir, 'diff', 'local-lead-follow-up'),
      cli(dataDir, 'diff', 'local-lead-follow-up', '--from', '2', '--to', '1', '--json'),
      cli(dataDir, 'diff', 'local-lead-follow-up', '--from', '7'),
    ]);
    expect(latest.code).toBe(0);
    expect(latest.stdout.split('\n')).toEqual([
      '"New lead: follow-up task, tag and stage", version 1 → 2 (Three days, Berlin time):',
      '  - Time zone: America/New_York → Europe/Berlin',
      "  - Renamed step 'Add follow-up task' → 'Add a call task'",
      `  - Due date of 'Add a call task': "{{ run.startedAt | date_add: 2, 'days' | date: '%Y-%m-%d' }}" → "{{ run.startedAt | date_add: 3, 'days' | date: '%Y-%m-%d' }}"`,
      '',
    ]);
    expect(JSON.parse(json.stdout).map((c: { kind: string }) => c.kind)).toEqual(['settings', 'stepRenamed', 'stepChanged']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no version 7; it has versions 1 to 2.');
  });
});
