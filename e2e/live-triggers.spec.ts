import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { type KanbertServer, startKanbertServer } from '../test/fixtures/kanbert-server.ts';
import { expect, type Pipewright, test } from './fixtures.ts';

/**
 * How live workflows receive events from other apps, as the editor and the list show them, and a
 * workflow Pipewright paused after failed runs. The tests share one server (and a fake Kanbert
 * API) and build on each other, in order.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC_URL = 'https://pipewright.example.com';

test.describe.configure({ mode: 'serial' });

let kanbert: KanbertServer;

test.beforeAll(async () => {
  kanbert = await startKanbertServer();
});

test.afterAll(async () => {
  await kanbert?.close();
});

/** `pipewright connections add …` on the server's data folder, as an operator would from a terminal. */
function addConnection(pipewright: Pipewright, name: string, app: string, baseUrl: string, key: string): void {
  const result = spawnSync(
    process.execPath,
    [
      'bin/pipewright.js',
      'connections',
      'add',
      name,
      '--app',
      app,
      '--base-url',
      baseUrl,
      '--api-key',
      key,
      '--data-dir',
      pipewright.dataDir,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
}

/** A workflow started by another app's "contact created" that adds a task in the local CRM. */
function contactWorkflow(id: string, name: string, app: string) {
  return {
    format: 'pipewright.workflow/1',
    id,
    name,
    connections: { crm: { app } },
    nodes: [
      { id: 'trigger', type: `${app}.contactCreated`, version: 1, connection: 'crm', params: {}, position: { x: 0, y: 0 } },
      {
        id: 'task',
        type: 'local.createTask',
        version: 1,
        params: { title: 'Call {{ trigger.data.email }}' },
        position: { x: 320, y: 0 },
      },
    ],
    edges: [{ from: 'trigger', to: 'task' }],
  };
}

const KANBERT = contactWorkflow('kanbert-new-contact', 'New Kanbert contact: call them', 'kanbert');
const GHL = contactWorkflow('ghl-new-contact', 'New GHL contact: call them', 'ghl');

function howEventsArrive(page: Page) {
  return page.getByRole('region', { name: 'How events arrive' });
}

async function openEditor(page: Page, pipewright: Pipewright, id: string): Promise<void> {
  await pipewright.open(page, `#/workflows/${id}`);
  await expect(page.getByTestId('editor')).toBeVisible();
  await expect(page.getByTestId('save-state')).toContainText('Saved');
}

test('a live Kanbert trigger without a public address checks Kanbert for changes; "Check now" picks them up', async ({
  page,
  pipewright,
}) => {
  addConnection(pipewright, 'kanbert-main', 'kanbert', kanbert.url, kanbert.keys.write);
  await pipewright.call('workflows.save', { document: KANBERT });
  await openEditor(page, pipewright, KANBERT.id);
  // A draft receives nothing, so there is nothing to explain yet.
  await expect(page.getByTestId('workflow-status')).toHaveText('Draft');
  await expect(howEventsArrive(page)).toHaveCount(0);

  await page.getByRole('button', { name: 'Go live' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
  const bar = howEventsArrive(page);
  await expect(bar).toContainText('Checking Kanbert for changes every minute · last checked just now');
  await expect(bar).toContainText('To get changes the moment they happen, set the public address in Settings.');
  await expect(bar.getByRole('link', { name: 'Settings' })).toHaveAttribute('href', '#/settings');

  // A contact added in Kanbert is found at once with "Check now", and runs the workflow.
  kanbert.addContact({ first_name: 'Anna', last_name: 'Berger', email: 'anna.berger@example.com' });
  await bar.getByRole('button', { name: 'Check now' }).click();
  await expect(bar.getByRole('button', { name: 'Check now' })).toBeEnabled();
  await expect
    .poll(async () => (await pipewright.call('crm.tasks', {})).rows.map((t) => t.title), { timeout: 20_000 })
    .toContain('Call anna.berger@example.com');
  await expect(bar).toContainText('last checked just now');
});

test('a GHL trigger that cannot be reached says so in the list and the editor, with a way to Settings', async ({ page, pipewright }) => {
  // GHL neither registers webhooks nor lists changes: without a public address nothing arrives.
  addConnection(pipewright, 'ghl-main', 'ghl', 'http://127.0.0.1:9', 'ghl-test-key-000000');
  await pipewright.call('workflows.save', { document: GHL });
  expect(await pipewright.call('workflows.setLive', { id: GHL.id, live: true })).toMatchObject({ ok: true });

  await pipewright.open(page, '#/workflows');
  const table = page.getByRole('table', { name: 'Workflows' });
  const row = table.getByRole('row', { name: new RegExp(GHL.name) });
  await expect(row.getByText('Live', { exact: true })).toBeVisible();
  await expect(row.getByTestId('trigger-problem')).toHaveText(
    'GHL Contacts: Set the public address in Settings so GHL Contacts can reach this computer.',
  );
  // The Kanbert workflow receives its events by checking: nothing to warn about.
  await expect(table.getByRole('row', { name: new RegExp(KANBERT.name) }).getByTestId('trigger-problem')).toHaveCount(0);

  await row.getByRole('link', { name: GHL.name }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
  const bar = howEventsArrive(page);
  await expect(bar).toContainText('GHL Contacts cannot send changes to this workflow yet.');
  await expect(bar.getByRole('status')).toContainText('Set the public address in Settings so GHL Contacts can reach this computer.');
  await bar.getByRole('link', { name: 'Open Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Receiving events' })).toBeVisible();
});

test('with a public address, the editor gives the address to paste into the app, with a copy button', async ({ page, pipewright }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await pipewright.call('settings.set', { key: 'webhooks.publicUrl', value: PUBLIC_URL });

  // The GHL trigger's address works as soon as the public address is set.
  await openEditor(page, pipewright, GHL.id);
  const ghlBar = howEventsArrive(page);
  await expect(ghlBar).toContainText('Paste this address into GHL Contacts’ webhook settings:');
  await expect(ghlBar.getByLabel('Webhook address for GHL Contacts')).toHaveValue(new RegExp(`^${PUBLIC_URL}/hooks/\\S+$`));
  await expect(ghlBar.getByRole('status')).toHaveCount(0);

  // Kanbert was being checked for changes; with the public address set, it gets the address to paste at once.
  await openEditor(page, pipewright, KANBERT.id);
  const bar = howEventsArrive(page);
  await expect(bar).toContainText('Paste this address into Kanbert’s webhook settings:');
  const address = await bar.getByLabel('Webhook address for Kanbert').inputValue();
  expect(address).toMatch(new RegExp(`^${PUBLIC_URL}/hooks/\\S+$`));
  const [hook] = (await pipewright.call('workflows.get', { id: KANBERT.id })).workflow.triggers;
  expect(hook).toMatchObject({ mode: 'webhook', url: address });

  await bar.getByRole('button', { name: 'Copy address' }).click();
  await expect(bar.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
});

test('a workflow paused after failed runs says why, in the list and the editor, and "Turn back on" makes it live', async ({
  page,
  pipewright,
}) => {
  await pipewright.call('settings.set', { key: 'workflows.pauseAfterFailures', value: 2 });
  const failing = {
    format: 'pipewright.workflow/1',
    id: 'quote-follow-up',
    name: 'New lead: send the quote',
    nodes: [
      { id: 'trigger', type: 'local.recordCreated', version: 1, params: {}, position: { x: 0, y: 0 } },
      {
        id: 'fail',
        type: 'logic.stopWithError',
        version: 1,
        params: { message: 'The quote template is missing' },
        position: { x: 320, y: 0 },
      },
    ],
    edges: [{ from: 'trigger', to: 'fail' }],
  };
  expect(await pipewright.call('workflows.save', { document: failing })).toMatchObject({ ok: true, issues: [] });
  expect(await pipewright.call('workflows.setLive', { id: failing.id, live: true })).toMatchObject({ ok: true });
  for (const title of ['Oak & Pine - Deck', 'Birch Lane - Patio']) {
    await pipewright.call('crm.createRecord', { type: 'lead', title });
  }
  await expect
    .poll(async () => (await pipewright.call('workflows.get', { id: failing.id })).workflow.status, { timeout: 20_000 })
    .toBe('paused');
  const reason = /Paused after 2 failed runs in a row\. Last error: .*The quote template is missing/;

  await pipewright.open(page, '#/workflows');
  const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row', { name: new RegExp(failing.name) });
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
  await expect(row.getByTestId('paused-reason')).toHaveText(reason);

  await row.getByRole('link', { name: failing.name }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Paused');
  const banner = page.getByRole('alert', { name: 'Workflow paused' });
  await expect(banner).toContainText('This workflow is paused, so new events do not start it.');
  await expect(banner).toContainText(reason);
  await expect(banner.getByRole('link', { name: 'Events' })).toHaveAttribute('href', '#/events?status=no_match');

  await banner.getByRole('button', { name: 'Turn back on' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
  await expect(banner).toHaveCount(0);
  expect((await pipewright.call('workflows.get', { id: failing.id })).workflow).toMatchObject({ status: 'live', pausedReason: null });
});
