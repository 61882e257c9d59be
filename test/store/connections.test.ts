import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { ConnectionError, maskSecret } from '../../src-main/store/connections.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp, tempDir } from '../helpers.ts';

const KEY = 'kv_live_9c1f0a7e5b3d4c2a8e6f0b1d3c5a7e9f';

describe('connections', () => {
  it('keeps the key encrypted and only ever shows its last four characters', () => {
    const app = tempApp();
    const added = app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: 'https://kanvocrm.com/api/v1/', secret: KEY });
    expect(added).toMatchObject({
      name: 'kanvo-main',
      app: 'kanvo',
      baseUrl: 'https://kanvocrm.com/api/v1',
      auth: 'bearer',
      hasSecret: true,
      secretHint: '••••7e9f',
      hasRefreshToken: false,
      rateLimit: null,
      boundTo: [],
    });
    expect(JSON.stringify(app.connections.list())).not.toContain(KEY.slice(0, -4));
    expect(app.secrets.names()).toEqual(['connection:kanvo-main:token']);
    expect(app.connections.resolve('kanvo-main')).toMatchObject({
      name: 'kanvo-main',
      alias: 'kanvo-main',
      app: 'kanvo',
      secret: KEY,
      extras: {},
    });
    // Short secrets get no hint at all.
    expect(maskSecret('abc123')).toBeNull();
  });

  it('updates base URL, key, extras and rate limit; OAuth tokens are stored as secrets too', () => {
    const app = tempApp();
    app.connections.add({
      name: 'crm',
      app: 'crm-http',
      baseUrl: 'https://crm.example.com',
      secret: 'ak_first_key_0001',
      extras: { entityId: 'e1' },
    });
    const updated = app.connections.update('crm', {
      secret: 'ak_second_key_0002',
      extras: { region: 'eu' },
      rateLimit: { requestsPerSecond: 2, burst: 5 },
    });
    expect(updated).toMatchObject({
      extras: { entityId: 'e1', region: 'eu' },
      rateLimit: { requestsPerSecond: 2, burst: 5 },
      secretHint: '••••0002',
    });
    expect(app.connections.update('crm', { extras: { region: '' }, rateLimit: null })).toMatchObject({
      extras: { entityId: 'e1' },
      rateLimit: null,
    });
    // What an update does not name stays as it was.
    app.connections.add({
      name: 'konvox',
      app: 'konvox',
      auth: 'apiKey',
      baseUrl: 'https://konvox.example.com',
      secret: 'kvx_live_key_0003',
    });
    expect(app.connections.update('konvox', { secret: 'kvx_live_key_0004' })).toMatchObject({
      auth: 'apiKey',
      baseUrl: 'https://konvox.example.com',
      secretHint: '••••0004',
    });

    app.connections.add({
      name: 'ghl',
      app: 'ghl',
      auth: 'oauth',
      secret: 'access-token-aaaa',
      refreshToken: 'refresh-token-bbbb',
      expiresAt: '2026-07-01T00:00:00Z',
    });
    app.connections.setTokens('ghl', { accessToken: 'access-token-cccc', expiresAt: '2026-07-02T00:00:00Z' });
    expect(app.connections.get('ghl')).toMatchObject({
      auth: 'oauth',
      hasRefreshToken: true,
      expiresAt: '2026-07-02T00:00:00Z',
      secretHint: '••••cccc',
    });
    expect(app.connections.resolve('ghl')).toMatchObject({ secret: 'access-token-cccc', refreshToken: 'refresh-token-bbbb' });
  });

  it.each([
    [{ name: '1bad', app: 'kanvo' }, 'name must start with a letter'],
    [{ name: 'ok', app: 'kanvo', baseUrl: 'ftp://x' }, 'web address'],
    [{ name: 'ok', app: 'kanvo', secret: '' }, 'must not be empty'],
  ])('rejects %j', (input, message) => {
    const app = tempApp();
    expect(() => app.connections.add(input)).toThrow(message);
  });

  it('refuses a second connection of the same name', () => {
    const app = tempApp();
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', secret: KEY });
    expect(() => app.connections.add({ name: 'kanvo-main', app: 'kanvo', secret: KEY })).toThrow(ConnectionError);
  });

  it('removing a connection removes its secrets and bindings', () => {
    const app = tempApp();
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', secret: KEY });
    app.connections.setWebhookSecret('kanvo-main', 'wh_1', 'whsec_abc');
    app.connections.bind('wf-1', 'crm', 'kanvo-main');
    expect(app.connections.get('kanvo-main')?.boundTo).toEqual([{ workflowId: 'wf-1', alias: 'crm' }]);
    expect(app.connections.remove('kanvo-main')).toBe(true);
    expect(app.secrets.names()).toEqual([]);
    expect(app.connections.bindings('wf-1')).toEqual({});
    expect(app.connections.remove('kanvo-main')).toBe(false);
  });
});

describe('which connection a step uses', () => {
  const workflow = { id: 'wf-1', connections: { crm: { app: 'kanvo' } } };
  const node = { id: 'create', name: 'Create lead', type: 'kanvo.createRecord', connection: 'crm' };

  it('an explicit binding, else a connection named like the alias, else the only one of the app', () => {
    const app = tempApp();
    app.connections.add({ name: 'kanvo-a', app: 'kanvo', secret: 'kv_live_aaaaaaaaaaaa' });
    expect(app.connections.resolveFor(workflow, node)).toMatchObject({ name: 'kanvo-a', alias: 'crm', secret: 'kv_live_aaaaaaaaaaaa' });

    app.connections.add({ name: 'crm', app: 'kanvo', secret: 'kv_live_cccccccccccc' });
    expect(app.connections.resolveFor(workflow, node)?.name).toBe('crm');

    app.connections.add({ name: 'kanvo-b', app: 'kanvo', secret: 'kv_live_bbbbbbbbbbbb' });
    app.connections.bind('wf-1', 'crm', 'kanvo-b');
    expect(app.connections.resolveFor(workflow, node)?.name).toBe('kanvo-b');
    expect(app.connections.resolveFor(workflow, { ...node, connection: undefined })).toBeUndefined();
  });

  it('says what to do when there is no connection, or several', () => {
    const app = tempApp();
    expect(() => app.connections.resolveFor(workflow, node)).toThrow(
      `Step "Create lead" (create) uses the connection alias 'crm' (Kanvo): no Kanvo connection is set up; add one with \`pipewright connections add NAME --app kanvo --base-url URL --api-key KEY\`.`,
    );
    app.connections.add({ name: 'kanvo-a', app: 'kanvo', secret: KEY });
    app.connections.add({ name: 'kanvo-b', app: 'kanvo', secret: KEY });
    expect(() => app.connections.resolveFor(workflow, node)).toThrow(
      `there are 2 Kanvo connections (kanvo-a, kanvo-b); choose one with \`pipewright connections bind wf-1 crm NAME\``,
    );
  });

  it('refuses a binding or an alias of another app', () => {
    const app = tempApp();
    app.connections.add({ name: 'other', app: 'konvox', secret: KEY });
    app.connections.bind('wf-1', 'crm', 'other');
    expect(() => app.connections.resolveFor(workflow, node)).toThrow(`which is bound to "other", a Konvox connection`);
    expect(() => app.connections.resolveFor({ id: 'wf-2', connections: { crm: { app: 'konvox' } } }, node)).toThrow(
      "is a Kanvo step, but its connection alias 'crm' is declared for Konvox",
    );
  });

  it('a run whose step has no connection fails with that message', async () => {
    const app = tempApp();
    const result = await app.run({
      format: 'pipewright.workflow/1',
      id: 'no-conn',
      name: 'No connection',
      connections: { crm: { app: 'kanvo' } },
      nodes: [
        { id: 'start', type: 'logic.manual', params: {} },
        { id: 'schema', type: 'kanvo.getSchema', connection: 'crm', params: {} },
      ],
      edges: [{ from: 'start', to: 'schema' }],
    });
    expect(result.status).toBe('failed');
    expect(result.error).toContain("uses the connection alias 'crm' (Kanvo): no Kanvo connection is set up");
  });
});

// ---------------------------------------------------------------------------------------------
// The key never leaks: store file, logs, exports
// ---------------------------------------------------------------------------------------------

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pipewright.js');

/** Runs the CLI without blocking this process (the fake Kanvo server answers from here). */
function cli(dataDir: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], { env: { ...process.env, PIPEWRIGHT_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('the connection key never leaks', () => {
  let kanvo: KanvoServer;
  beforeEach(async () => {
    kanvo = await startKanvoServer();
  });
  afterEach(async () => {
    await kanvo.close();
  });

  const flow = (): WorkflowInput => ({
    format: 'pipewright.workflow/1',
    id: 'kanvo-lead',
    name: 'Kanvo lead with task',
    connections: { crm: { app: 'kanvo' } },
    nodes: [
      { id: 'start', type: 'logic.manual', params: { sample: { name: 'Okafor Residence' } } },
      {
        id: 'create',
        type: 'kanvo.createRecord',
        connection: 'crm',
        params: { type: 'lead', title: '{{ trigger.data.name }}', pipeline: 'Main Sales' },
      },
      { id: 'task', type: 'kanvo.createTask', connection: 'crm', params: { title: 'Call', record_id: '{{ steps.create.output.id }}' } },
    ],
    edges: [
      { from: 'start', to: 'create' },
      { from: 'create', to: 'task' },
    ],
  });

  it('not in the database file, the CLI output, nor exported workflows, through live runs, dry runs and failures', async () => {
    const dataDir = tempDir();
    const key = kanvo.keys.write;
    const outputs: string[] = [];
    const run = async (args: string[], stdin?: string) => {
      const result = await cli(dataDir, args, stdin);
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const add = await run(['connections', 'add', 'kanvo-main', '--app', 'kanvo', '--base-url', kanvo.url, '--api-key', '-'], `${key}\n`);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain(`Added connection "kanvo-main" (Kanvo, ${kanvo.url}, key ••••${key.slice(-4)}).`);

    const list = await run(['connections', 'list']);
    expect(list.stdout).toMatch(/kanvo-main\s+Kanvo\s+http:\/\/127\.0\.0\.1:\d+\/api\/v1\s+bearer\s+••••\w{4}\s+default/);

    const tested = await run(['connections', 'test', 'kanvo-main']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('✓ kanvo-main: Kanvo answered at');

    const file = join(dataDir, 'flow.json');
    writeFileSync(file, JSON.stringify(flow()));
    expect((await run(['import', file])).code).toBe(0);

    const live = await run(['run', 'kanvo-lead', '--json']);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout).status).toBe('succeeded');
    expect(kanvo.requestsTo('/records', 'POST')[0]?.headers.authorization).toBe(`Bearer ${key}`);

    const writes = kanvo.counts.writes;
    const dry = await run(['run', 'kanvo-lead', '--dry-run', '--json']);
    const dryResult = JSON.parse(dry.stdout);
    expect(dryResult).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(dryResult.requests[0].headers.Authorization).toBe('••••••');
    expect(kanvo.counts.writes).toBe(writes);
    expect((await run(['run', 'kanvo-lead', '--dry-run'])).stdout).toContain('would send: POST');

    kanvo.inject({ status: 500, method: 'POST', path: '/records' });
    const failed = await run(['run', 'kanvo-lead']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Kanvo had a server error when trying to create a record');
    expect((await run(['runs', 'show', JSON.parse(live.stdout).runId])).code).toBe(0);

    const exported = join(dataDir, 'exported.json');
    expect((await run(['export', 'kanvo-lead', '--out', exported])).code).toBe(0);

    // A wrong key and a missing scope: clear messages, still no key in them.
    const wrong = await run(['connections', 'update', 'kanvo-main', '--api-key', 'kv_live_notarealkey000000000000']);
    expect(wrong.code).toBe(0);
    const unauthorized = await run(['connections', 'test', 'kanvo-main']);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('✗ kanvo-main: Kanvo rejected the API key (401 Unauthorized: "Missing or invalid API key")');
    await run(['connections', 'update', 'kanvo-main', '--api-key', '-'], key);
    kanvo.inject({ status: 403, body: { success: false, error: 'API key lacks the required scope for this operation' } });
    const forbidden = await run(['connections', 'test', 'kanvo-main']);
    expect(forbidden.stderr).toContain('The API key is valid but lacks the "read" scope (403 Forbidden');

    const stored = readdirSync(dataDir).filter((f) => f.startsWith('pipewright.db'));
    expect(stored).toContain('pipewright.db');
    for (const name of stored) expect(readFileSync(join(dataDir, name)).includes(key), name).toBe(false);
    for (const text of outputs) expect(text.includes(key)).toBe(false);
    expect(readFileSync(exported, 'utf8').includes(key)).toBe(false);
    expect(existsSync(join(dataDir, 'pipewright.db-wal')) ? readFileSync(join(dataDir, 'pipewright.db-wal')).includes(key) : false).toBe(
      false,
    );
    // The key was really used, so its absence means something.
    expect(kanvo.requests.filter((r) => r.headers.authorization === `Bearer ${key}`).length).toBeGreaterThan(3);
  }, 120_000);

  it('not in the journal of in-process runs, whatever the step printed', async () => {
    const app = tempApp();
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.write });
    const live = await app.run(flow());
    const dry = await app.run(flow(), { dryRun: true });
    expect([live.status, dry.status]).toEqual(['succeeded', 'succeeded']);
    app.save(flow());
    const everything = JSON.stringify([
      live,
      dry,
      app.journal.steps(live.runId),
      app.journal.steps(dry.runId),
      app.workflows.document('kanvo-lead'),
    ]);
    expect(everything).not.toContain(kanvo.keys.write);
    app.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(app.options.dataDir, 'pipewright.db')).includes(kanvo.keys.write)).toBe(false);
  });
});
