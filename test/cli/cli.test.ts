import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { runCli } from './run-cli.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pipewright.js');
const TEMPLATE = join(import.meta.dirname, '..', '..', 'templates', 'local-lead-follow-up.json');

function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every CRM table, as another process sees it. */
function crmDump(dataDir: string): Record<string, unknown[]> {
  const db = new Database(join(dataDir, 'pipewright.db'), { readonly: true });
  try {
    const tables = [
      'object_types',
      'pipelines',
      'stages',
      'records',
      'companies',
      'contacts',
      'contact_tags',
      'tasks',
      'notes',
      'activities',
      'form_submissions',
    ];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

function writeDoc(
  dir: string,
  name: string,
  change: (doc: Record<string, unknown> & { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] }) => void,
): string {
  const doc = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
  change(doc);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('pipewright CLI', () => {
  it('runs the lead follow-up template on the demo workspace: task, tag and stage change', () => {
    const dataDir = tempDir();
    const run = cli(dataDir, 'run', TEMPLATE, '--sample', '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('succeeded');
    const recordId = result.steps[0].output.data.id;
    const after = crmDump(dataDir);
    expect(after.tasks).toContainEqual(
      expect.objectContaining({ record_id: recordId, title: 'Call Oak & Pine Realty - Seasonal Maintenance' }),
    );
    expect(after.contact_tags).toContainEqual(expect.objectContaining({ tag: 'new-lead' }));
    const stage = (after.stages as { id: string; name: string }[]).find((s) => s.name === 'Contacted');
    expect(after.records).toContainEqual(expect.objectContaining({ id: recordId, stage_id: stage?.id }));
  });

  it('a dry run prints the planned diffs and leaves every CRM table unchanged', () => {
    const dataDir = tempDir();
    expect(cli(dataDir, 'list').code).toBe(0); // creates the demo workspace
    const before = crmDump(dataDir);
    const run = cli(dataDir, 'run', TEMPLATE, '--sample', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nothing was changed: this was a dry run/);
    expect(run.stdout).toMatch(/\+ create task .*"Call Oak & Pine Realty - Seasonal Maintenance"/);
    expect(run.stdout).toMatch(/tags: \["referral"\] → \["new-lead","referral"\]/);
    expect(run.stdout).toMatch(/stage: "New" → "Contacted"/);
    expect(crmDump(dataDir)).toEqual(before);
    // The test run is in the history, marked as a dry run.
    expect(cli(dataDir, 'runs').stdout).toMatch(/succeeded\s+dry run/);
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    [
      'malformed JSON',
      (dir) => {
        const file = join(dir, 'broken.json');
        writeFileSync(file, '{ "format": "pipewright.workflow/1", ');
        return file;
      },
      /broken\.json: not valid JSON/,
    ],
    [
      'an unknown node type',
      (dir) =>
        writeDoc(dir, 'unknown.json', (d) => {
          (d.nodes[1] as Record<string, unknown>).type = 'local.sendFax';
        }),
      /uses the unknown step type "local\.sendFax"/,
    ],
    [
      'a missing required param',
      (dir) =>
        writeDoc(dir, 'missing.json', (d) => {
          const params = d.nodes[1]?.params as Record<string, unknown>;
          delete params.title;
        }),
      /field "title" is required/,
    ],
    [
      'an edge to a missing node',
      (dir) => writeDoc(dir, 'edge.json', (d) => void d.edges.push({ from: 'stage', to: 'ghost' })),
      /leads to the missing step "ghost"/,
    ],
    ['a cycle', (dir) => writeDoc(dir, 'cycle.json', (d) => void d.edges.push({ from: 'stage', to: 'task' })), /form a loop/],
    [
      'a template syntax error',
      (dir) =>
        writeDoc(dir, 'template.json', (d) => {
          (d.nodes[1]?.params as Record<string, unknown>).title = 'Call {{ trigger.data.title';
        }),
      /field "title": Template error/,
    ],
  ])('rejects %s with a clear message and saves nothing', (_name, make, expected) => {
    const dataDir = tempDir();
    const file = make(dataDir);
    const validate = cli(dataDir, 'validate', file);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(expected);
    const imported = cli(dataDir, 'import', file);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(expected);
    expect(cli(dataDir, 'list').stdout).toMatch(/No workflows yet/);
  });

  it('a condition on a missing field fails the run, exits 1 and names the field', () => {
    const dataDir = tempDir();
    const file = writeDoc(dataDir, 'condition.json', (d) => {
      d.nodes.push({
        id: 'check',
        type: 'logic.if',
        params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.data.budget', operator: 'gt', value: 100 }] } },
      });
      d.edges.push({ from: 'stage', to: 'check' });
    });
    const run = cli(dataDir, 'run', file, '--sample', '--dry-run');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/"trigger\.data\.data\.budget", which is not in the data/);
  });

  it('imports, lists, exports and shows runs and the catalog', () => {
    const dataDir = tempDir();
    expect(cli(dataDir, 'import', TEMPLATE).stdout).toMatch(
      /Imported "New lead: follow-up task, tag and stage" \(id local-lead-follow-up\) as version 1; status: draft/,
    );
    expect(cli(dataDir, 'import', TEMPLATE).stdout).toMatch(/as version 2/);
    expect(cli(dataDir, 'list').stdout).toMatch(/local-lead-follow-up\s+New lead: follow-up task, tag and stage\s+draft\s+2/);
    const out = join(dataDir, 'export.json');
    expect(cli(dataDir, 'export', 'local-lead-follow-up', '--out', out).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ id: 'local-lead-follow-up', nodes: expect.any(Array) });

    const run = cli(dataDir, 'run', 'local-lead-follow-up', '--sample', '--json');
    const runId = JSON.parse(run.stdout).runId;
    expect(cli(dataDir, 'runs', '--workflow', 'local-lead-follow-up').stdout).toContain(runId);
    expect(cli(dataDir, 'runs', 'show', runId).stdout).toMatch(/Move to Contacted \(stage\)\s+succeeded/);
    const catalog = JSON.parse(cli(dataDir, 'catalog', '--json').stdout) as { type: string; input: unknown; effect?: string }[];
    expect(catalog.find((n) => n.type === 'local.createTask')).toMatchObject({
      effect: 'write',
      input: expect.objectContaining({ type: 'object' }),
    });
  });

  it('explains a mistyped command', () => {
    const result = cli(tempDir(), 'runn');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown command "runn"/);
  });

  it('commands started at the same moment on a new data folder all work and seed the demo workspace once', async () => {
    const dataDir = tempDir();
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(dataDir, 'templates', 'list', '--json')));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(Array.from({ length: 4 }, () => [0, '']));
    // One seed: the demo workspace's contacts are there once, not once per process.
    const contacts = crmDump(dataDir).contacts as { email: string }[];
    expect(new Set(contacts.map((c) => c.email)).size).toBe(contacts.length);
  });

  it('refuses to remove a connection a live workflow uses, and names the workflow', () => {
    const dataDir = tempDir();
    const add = cli(
      dataDir,
      'connections',
      'add',
      'kanvo-main',
      '--app',
      'kanvo',
      '--base-url',
      'http://127.0.0.1:9/api/v1',
      '--api-key',
      'kv_1',
    );
    expect(add.code).toBe(0);
    const file = join(tempDir(), 'uses-kanvo.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'pipewright.workflow/1',
        id: 'uses-kanvo',
        name: 'New lead: Kanvo task',
        connections: { crm: { app: 'kanvo' } },
        nodes: [
          { id: 'start', type: 'local.recordCreated', params: {} },
          { id: 'task', type: 'kanvo.createTask', connection: 'crm', params: { title: 'Call' } },
        ],
        edges: [{ from: 'start', to: 'task' }],
      }),
    );
    expect(cli(dataDir, 'import', file).code).toBe(0);
    expect(cli(dataDir, 'activate', 'uses-kanvo').code).toBe(0);

    const refused = cli(dataDir, 'connections', 'remove', 'kanvo-main');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The live workflow "New lead: Kanvo task" uses the connection "kanvo-main". Turn off');

    expect(cli(dataDir, 'deactivate', 'uses-kanvo').code).toBe(0);
    const removed = cli(dataDir, 'connections', 'remove', 'kanvo-main');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('These workflows need another connection now: uses-kanvo (crm).');
    expect(cli(dataDir, 'connections', 'list').stdout).not.toContain('kanvo-main');
  });
});
