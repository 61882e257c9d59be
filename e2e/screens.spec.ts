import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/**
 * Every screen outside the editor, as a new operator meets them: an empty workflow list, a template
 * imported and turned on, the CRM browser (where a new lead starts the live workflow), the run
 * history with a test run and the live run, connections and settings.
 * The tests share one server and build on each other, in order. Each screen is saved as a PNG in
 * test-results/screens/ so it can be looked at.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const shots = join(root, 'test-results', 'screens');
const WORKFLOW = 'New lead: follow-up task, tag and stage';
const NEW_LEAD = 'Levy Residence - Fence Repair';

test.describe.configure({ mode: 'serial' });

async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  // Let entrance animations settle so the picture shows the resting state.
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

function notifications(page: Page) {
  return page.getByRole('region', { name: 'Notifications' });
}

test('a new user sees an inviting, empty workflow list', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/workflows');
  await expect(page.getByRole('heading', { name: 'Workflows', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Build your first automation' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New workflow' }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Workflows' })).toHaveAttribute('aria-current', 'page');
  await snap(page, 'workflows-empty');
});

test('an imported template appears in the list as a draft', async ({ page, pipewright }) => {
  const imported = spawnSync(
    process.execPath,
    ['bin/pipewright.js', 'import', 'templates/local-lead-follow-up.json', '--data-dir', pipewright.dataDir],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  expect(imported.status, imported.stderr).toBe(0);

  await pipewright.open(page, '#/workflows');
  const table = page.getByRole('table', { name: 'Workflows' });
  const row = table.getByRole('row', { name: new RegExp(WORKFLOW) });
  await expect(row).toBeVisible();
  await expect(row.getByText('Draft')).toBeVisible();
  await expect(row.getByText('Never run')).toBeVisible();
  await expect(page.getByText('1 workflow · 0 live')).toBeVisible();

  // Search narrows the list, and says so when nothing matches.
  await page.getByRole('searchbox', { name: 'Search workflows' }).fill('no such thing');
  await expect(table.getByText('No workflows match "no such thing"')).toBeVisible();
  await page.getByRole('button', { name: 'Clear search' }).first().click();
  await expect(row).toBeVisible();
  await snap(page, 'workflows-list');
});

test('turning the workflow on confirms that it is live', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/workflows');
  const toggle = page.getByRole('switch', { name: `Live: ${WORKFLOW}` });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await toggle.click();

  await expect(notifications(page)).toContainText(`"${WORKFLOW}" is live`);
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row', { name: new RegExp(WORKFLOW) });
  await expect(row.getByText('Live', { exact: true })).toBeVisible();
  await expect(page.getByText('1 workflow · 1 live')).toBeVisible();
  await snap(page, 'workflows-live');

  const [summary] = await pipewright.call('workflows.list', {});
  expect(summary?.status).toBe('live');
});

test('the CRM browser lists the demo data and creates a lead that starts the live workflow', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/crm');
  const leads = page.getByRole('table', { name: 'Lead records' });
  await expect(leads.getByRole('row', { name: /Johnson Property - Lawn Care/ })).toBeVisible();
  await expect(leads.getByRole('row', { name: /Johnson Property - Lawn Care/ }).getByText('New', { exact: true })).toBeVisible();
  await snap(page, 'crm-records');

  await page.getByRole('tab', { name: 'Contacts' }).click();
  const contacts = page.getByRole('table', { name: 'Contacts' });
  const sarah = contacts.getByRole('row', { name: /Sarah Johnson/ });
  await expect(sarah).toBeVisible();
  await expect(sarah.getByRole('list', { name: 'Tags' })).toContainText('vip');
  await snap(page, 'crm-contacts');

  await page.getByRole('tab', { name: 'Tasks' }).click();
  await expect(page.getByRole('table', { name: 'Tasks' })).toBeVisible();
  await snap(page, 'crm-tasks');

  await page.getByRole('tab', { name: 'Records' }).click();
  await page.getByRole('button', { name: 'New record' }).click();
  const dialog = page.getByRole('dialog', { name: 'New record' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Type')).toHaveValue('lead');
  await expect(dialog.getByLabel('Pipeline')).toHaveValue('main-sales');
  await expect(dialog.getByLabel('Stage')).toHaveValue('new');

  // A title is required, and the dialog says so next to the field.
  await dialog.getByRole('button', { name: 'Create record' }).click();
  await expect(dialog.getByText('Give the record a title')).toBeVisible();

  await dialog.getByLabel('Title').fill(NEW_LEAD);
  // A demo contact's email: the workflow tags that contact.
  await dialog.getByLabel('Value of email').fill('rachel.levy@example.com');
  await dialog.getByLabel('Value of phone').fill('555-0108');
  await snap(page, 'crm-new-record-dialog');
  await dialog.getByRole('button', { name: 'Create record' }).click();

  await expect(dialog).toBeHidden();
  await expect(notifications(page)).toContainText(`Lead "${NEW_LEAD}" created`);
  const created = leads.getByRole('row', { name: new RegExp(NEW_LEAD) });
  await expect(created).toBeVisible();
  // The live workflow moves a new lead to Contacted and adds a follow-up task; the page refreshes on its own.
  await expect(created.getByText('Contacted', { exact: true })).toBeVisible({ timeout: 15_000 });
  await page.getByRole('tab', { name: 'Tasks' }).click();
  await expect(page.getByRole('table', { name: 'Tasks' }).getByRole('row', { name: new RegExp(`Call ${NEW_LEAD}`) })).toBeVisible();
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await expect(page.getByRole('table', { name: 'Contacts' }).getByRole('row', { name: /Rachel Levy/ })).toContainText('new-lead');
});

test('the run history shows the live run and a test run, each with its steps', async ({ page, pipewright }) => {
  const started = await pipewright.call('runs.start', { workflowId: 'local-lead-follow-up', dryRun: true });
  expect(started.ok).toBe(true);
  const testRunId = started.ok ? started.run.runId : '';

  await pipewright.open(page, '#/runs');
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row')).toHaveCount(3); // header + live run + test run
  const testRow = runs.getByRole('row').filter({ hasText: 'Test run' });
  await expect(testRow).toHaveCount(1);
  await expect(testRow.getByText('Succeeded')).toBeVisible();

  // Filters narrow the list.
  await page.getByLabel('Mode').selectOption('live');
  await expect(runs.getByRole('row')).toHaveCount(2);
  await expect(runs.getByText('Test run')).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(runs.getByRole('row')).toHaveCount(3);
  await snap(page, 'runs-list');

  // The test run: a clear banner, every step, and the planned changes.
  await testRow.getByRole('link', { name: WORKFLOW }).click();
  await expect(page).toHaveURL(new RegExp(`#/runs/${testRunId}$`));
  await expect(page.getByText('Nothing was changed — this was a test run')).toBeVisible();
  const steps = page.getByRole('list', { name: 'Step timeline' }).getByRole('listitem');
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(1)).toContainText('Add follow-up task');
  await expect(page.getByRole('heading', { name: /Planned changes/ })).toBeVisible();
  await expect(page.getByRole('article', { name: /Create task/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retry from failed step' })).toHaveCount(0);
  await snap(page, 'run-detail-test');

  // A step opens to show its input and output.
  await steps
    .nth(1)
    .getByRole('button', { name: /Add follow-up task/ })
    .click();
  await expect(steps.nth(1).getByRole('figure', { name: 'Input of Add follow-up task' })).toBeVisible();
  await expect(steps.nth(1).getByRole('figure', { name: 'Output of Add follow-up task' })).toContainText('due_date');
  await snap(page, 'run-detail-step-open');

  // The live run made real changes.
  await page.getByRole('link', { name: 'All runs' }).click();
  await runs.getByRole('row').filter({ hasNotText: 'Test run' }).nth(1).getByRole('link', { name: WORKFLOW }).click();
  await expect(page.getByRole('heading', { name: /Changes made/ })).toBeVisible();
  await expect(page.getByText('Nothing was changed')).toHaveCount(0);
  await expect(page.getByRole('article', { name: new RegExp(`Update record ${NEW_LEAD}`) })).toContainText('Contacted');
  await snap(page, 'run-detail-live');
});

test('connections explain how to add one, and settings show where data lives', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/connections');
  await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();
  await expect(page.getByText('pipewright connections add')).toBeVisible();
  await snap(page, 'connections');

  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText(pipewright.dataDir)).toBeVisible();
  const zone = page.getByLabel('Default time zone');
  await zone.selectOption('America/New_York');
  await expect(notifications(page)).toContainText('Default time zone saved');
  await expect(zone).toHaveValue('America/New_York');
  await snap(page, 'settings');
  const settings = await pipewright.call('settings.get', {});
  expect(settings.timezone).toBe('America/New_York');
});

test('a workflow with problems cannot go live, and the list says what to fix', async ({ page, pipewright }) => {
  const saved = await pipewright.call('workflows.save', {
    document: {
      format: 'pipewright.workflow/1',
      id: 'e2e-incomplete',
      name: 'Half-built follow-up',
      nodes: [
        { id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' }, position: { x: 0, y: 0 } },
        { id: 'task', type: 'local.createTask', params: {}, position: { x: 280, y: 0 } },
      ],
      edges: [{ from: 'trigger', to: 'task' }],
    },
  });
  expect(saved.ok).toBe(true);

  await pipewright.open(page, '#/workflows');
  await page.getByRole('switch', { name: 'Live: Half-built follow-up' }).click();
  const refused = page.getByRole('dialog', { name: /"Half-built follow-up" can't go live yet/ });
  await expect(refused).toBeVisible();
  await expect(refused.getByRole('list', { name: 'Problems to fix' }).getByRole('listitem').first()).toBeVisible();
  await expect(refused.getByRole('button', { name: 'Open in editor' })).toBeVisible();
  await snap(page, 'workflows-go-live-refused');
  await refused.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByRole('switch', { name: 'Live: Half-built follow-up' })).toHaveAttribute('aria-checked', 'false');
});

test('duplicating and deleting a workflow, with confirmation and undo', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/workflows');
  const table = page.getByRole('table', { name: 'Workflows' });
  await page.getByRole('button', { name: 'More actions for Half-built follow-up' }).click();
  await page.getByRole('menuitem', { name: 'Duplicate' }).click();
  await expect(notifications(page)).toContainText('Duplicated as');
  await expect(table.getByRole('row')).toHaveCount(4); // header + template + draft + copy
  const copyName = 'Half-built follow-up (copy)';
  await expect(table.getByRole('link', { name: copyName, exact: true })).toBeVisible();

  await page.getByRole('button', { name: `More actions for ${copyName}` }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog', { name: `Delete "${copyName}"?` });
  await expect(confirm).toBeVisible();
  await snap(page, 'workflows-delete-confirm');
  await confirm.getByRole('button', { name: 'Delete workflow' }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(notifications(page)).toContainText(`Deleted "${copyName}"`);

  await notifications(page).getByRole('button', { name: 'Undo' }).click();
  await expect(table.getByRole('link', { name: copyName, exact: true })).toBeVisible();
});

test('an unknown address shows a way back', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/nowhere');
  await expect(page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
  await page.getByRole('button', { name: 'Go to workflows' }).click();
  await expect(page.getByRole('table', { name: 'Workflows' })).toBeVisible();
});
