import type { Page } from '@playwright/test';
import type { WorkflowInput } from '../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../test/fixtures/kanvo-server.ts';
import { expect, test } from './fixtures.ts';

/**
 * The Connections screen against a fake Kanvo API: add a connection at a wrong address, edit its
 * base URL (the stored key is kept), and remove it: refused while a live workflow uses it, asked
 * for and listed while only a draft does.
 */

let kanvo: KanvoServer;

test.beforeAll(async () => {
  kanvo = await startKanvoServer();
});

test.afterAll(async () => {
  await kanvo?.close();
});

const WORKFLOW = 'New lead: Kanvo call task';

const workflow: WorkflowInput = {
  format: 'pipewright.workflow/1',
  id: 'lead-to-kanvo',
  name: WORKFLOW,
  connections: { crm: { app: 'kanvo' } },
  nodes: [
    { id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' } },
    { id: 'task', type: 'kanvo.createTask', connection: 'crm', params: { title: 'Call {{ trigger.data.title }}' } },
  ],
  edges: [{ from: 'trigger', to: 'task' }],
};

function notifications(page: Page) {
  return page.getByRole('region', { name: 'Notifications' });
}

test('add a connection, edit its base URL keeping the key, then remove it after confirming', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/connections');
  await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();

  // Added at an address where nothing answers.
  await page.getByRole('button', { name: 'Add connection' }).first().click();
  const add = page.getByRole('dialog', { name: 'Add a connection' });
  await add.getByLabel('App').selectOption('kanvo');
  await expect(add.getByLabel('Connection name')).toHaveValue('kanvo-main');
  await add.getByLabel('Base URL').fill('http://127.0.0.1:9');
  await add.getByLabel('API key').fill(kanvo.keys.write);
  await add.getByRole('button', { name: 'Save connection' }).click();
  await expect(add).toBeHidden();
  const table = page.getByRole('table', { name: 'Connections' });
  const row = table.getByRole('row', { name: /kanvo-main/ });
  await expect(row).toContainText('http://127.0.0.1:9');
  await expect(row).toContainText(kanvo.keys.write.slice(-4));

  // Edit: name and app are fixed, the key field starts empty and keeps the stored key.
  await row.getByRole('button', { name: 'Edit kanvo-main' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit connection' });
  const form = edit.getByRole('group', { name: 'Edit connection' });
  await expect(form.getByLabel('Connection name')).toHaveValue('kanvo-main');
  await expect(form.getByLabel('Connection name')).not.toBeEditable();
  await expect(form.getByLabel('App')).toHaveValue('Kanvo');
  await expect(form.getByLabel('App')).not.toBeEditable();
  await expect(form.getByLabel('Base URL')).toHaveValue('http://127.0.0.1:9');
  await expect(form.getByLabel('New API key')).toHaveValue('');
  await expect(form).toContainText('Leave empty to keep the current key');
  await form.getByLabel('Base URL').fill(kanvo.url);
  // The test uses what the form says, before saving.
  await form.getByRole('button', { name: 'Test connection kanvo-main' }).click();
  await expect(form.getByTestId('connection-test-result')).toContainText('Kanvo answered');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(notifications(page)).toContainText('Connection “kanvo-main” updated');
  await expect(row).toContainText(kanvo.url);
  await expect(row).not.toContainText('http://127.0.0.1:9');
  await row.getByRole('button', { name: 'Test connection kanvo-main' }).click();
  await expect(row.getByTestId('connection-test-result')).toContainText('Kanvo answered');

  // A live workflow uses it: it cannot be removed yet, and the dialog says which one to turn off.
  await pipewright.call('workflows.save', { document: workflow });
  expect(await pipewright.call('workflows.setLive', { id: workflow.id, live: true })).toMatchObject({ ok: true });
  await row.getByRole('button', { name: 'Remove kanvo-main' }).click();
  const inUse = page.getByRole('dialog', { name: '“kanvo-main” is in use' });
  await expect(inUse).toContainText(`Turn off “${WORKFLOW}” first`);
  await expect(inUse.getByRole('link', { name: WORKFLOW })).toBeVisible();
  await inUse.getByRole('button', { name: 'OK' }).click();
  await expect(inUse).toBeHidden();
  await expect(row).toBeVisible();

  // Turned off, it is listed as needing another connection, and removal goes ahead once confirmed.
  await pipewright.call('workflows.setLive', { id: workflow.id, live: false });
  await row.getByRole('button', { name: 'Remove kanvo-main' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove “kanvo-main”?' });
  await expect(confirm).toContainText('These workflows will need another connection:');
  await expect(confirm.getByRole('list', { name: 'Workflows using it' })).toContainText(WORKFLOW);
  await confirm.getByRole('button', { name: 'Remove connection' }).click();
  await expect(confirm).toBeHidden();
  await expect(notifications(page)).toContainText('Connection “kanvo-main” removed');
  await expect(notifications(page)).toContainText(`“${WORKFLOW}” needs another Kanvo connection`);
  await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();
  expect(await pipewright.call('connections.list', {})).toEqual([]);
});
