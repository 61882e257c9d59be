import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { Workflow } from '../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../test/fixtures/kanvo-server.ts';
import { expect, test } from './fixtures.ts';

/**
 * The template gallery and the import wizard against a fake Kanvo API whose sales pipeline calls
 * "Contacted" "Called": pick a template, add the connection in the wizard, map the missing stage,
 * import, dry run and go live; then export it and import the file again. The tests share one
 * server and build on each other, in order.
 */

test.describe.configure({ mode: 'serial' });

const TEMPLATE = 'kanvo-lead-follow-up';
let kanvo: KanvoServer;
let templateName = '';

test.beforeAll(async () => {
  kanvo = await startKanvoServer();
  const stage = kanvo.workspaces.main.pipelines[0]?.stages[1];
  if (!stage) throw new Error('the fake Kanvo workspace changed');
  Object.assign(stage, { name: 'Called', slug: 'called' });
  // The lead of the template's sample event exists, so the dry run can read it before moving it.
  const sample = JSON.parse(readFileSync(`templates/${TEMPLATE}.json`, 'utf8')) as { sample: { data: { id: string; title: string } } };
  const lead = kanvo.addRecord({ type: 'lead', title: sample.sample.data.title, stage: 'new' });
  kanvo.records.delete(lead.id);
  lead.id = sample.sample.data.id;
  kanvo.records.set(lead.id, lead);
});

test.afterAll(async () => {
  await kanvo?.close();
});

function wizard(page: Page) {
  return page.getByRole('dialog');
}

test('the gallery lists templates with their apps; search and category narrow it; a template shows a read-only preview', async ({
  page,
  pipewright,
}) => {
  templateName = ((await pipewright.call('templates.get', { template: TEMPLATE })).document as Workflow).name;
  await pipewright.open(page, '#/workflows');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
  const grid = page.getByRole('list', { name: 'Templates' });
  const total = (await pipewright.call('templates.list', {})).length;
  await expect(grid.getByRole('listitem')).toHaveCount(total);

  await page.getByRole('searchbox', { name: 'Search templates' }).fill('kanvo');
  await expect(grid.getByRole('link', { name: templateName })).toBeVisible();
  await expect(grid.getByRole('link', { name: /Local CRM|GHL ↔|Konvox/ })).toHaveCount(0);
  await expect(grid.getByRole('link', { name: templateName })).toContainText('Kanvo');

  await page.getByRole('searchbox', { name: 'Search templates' }).fill('no such thing anywhere');
  await expect(page.getByRole('heading', { name: /No templates match/ })).toBeVisible();
  await page.getByRole('button', { name: 'Show all templates' }).click();
  await expect(grid.getByRole('listitem')).toHaveCount(total);

  const sales = (await pipewright.call('templates.list', {})).filter((t) => t.category === 'Sales');
  await page
    .getByRole('group', { name: 'Category' })
    .getByRole('button', { name: /^Sales/ })
    .click();
  await expect(grid.getByRole('listitem')).toHaveCount(sales.length);
  await page.getByRole('group', { name: 'Category' }).getByRole('button', { name: /^All/ }).click();

  await grid.getByRole('link', { name: templateName }).click();
  await expect(page.getByRole('heading', { name: templateName, level: 1 })).toBeVisible();
  const preview = page.getByTestId('template-preview');
  await expect(preview.getByTestId('preview-node-trigger')).toBeVisible();
  await expect(preview.locator('.react-flow__edge')).not.toHaveCount(0);
  await expect(page.getByRole('complementary', { name: 'What it needs' })).toContainText('A Kanvo connection that reads and changes data');
});

test('import: add the Kanvo connection in the wizard, map the missing stage, import a draft, dry run and go live', async ({
  page,
  pipewright,
}) => {
  await pipewright.open(page, `#/templates/${TEMPLATE}`);
  await page.getByRole('button', { name: 'Use template' }).click();
  const dialog = wizard(page);
  await expect(dialog.getByRole('heading', { name: `Import “${templateName}”` })).toBeVisible();

  // No Kanvo connection yet: the form to add one is open at once.
  const form = dialog.getByRole('group', { name: 'New connection' });
  await expect(form.getByLabel('Connection name')).toHaveValue('kanvo-main');
  await form.getByLabel('Base URL').fill(kanvo.url);
  await form.getByLabel('API key').fill(kanvo.keys.write);
  await form.getByRole('button', { name: 'Save connection' }).click();
  await expect(dialog.getByLabel('Connection for Kanvo')).toHaveValue('kanvo-main');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('connection-test-result')).toContainText('Kanvo answered');
  await dialog.getByRole('button', { name: /Next: check your account/ }).click();

  // "contacted" does not exist in this Kanvo: its closest stage is offered and chosen.
  const missing = dialog.getByTestId('missing-stage-contacted');
  await expect(missing).toContainText('Stage “contacted”');
  await expect(missing.getByRole('combobox')).toHaveValue('map:Called');
  await expect(missing.getByRole('combobox').locator('option:checked')).toHaveText('Use “Called” (closest)');
  await expect(dialog.getByTestId('check-ready')).toBeVisible();
  await dialog.getByRole('button', { name: /Next: review/ }).click();
  await expect(dialog).toContainText('Kanvo steps use the connection kanvo-main.');
  await expect(dialog).toContainText('Stage “contacted” becomes “Called”.');
  await dialog.getByRole('button', { name: 'Import as draft' }).click();

  await expect(dialog.getByRole('heading', { name: 'Imported as a draft' })).toBeVisible();
  await expect(dialog.getByTestId('import-done')).toContainText(`Saved as “${TEMPLATE}”, version 1`);
  const saved = await pipewright.call('workflows.get', { id: TEMPLATE });
  expect(saved.workflow.status).toBe('draft');
  expect(JSON.stringify(saved.document)).toContain('"Called"');

  // The dry run happens in the editor's test panel: the planned Kanvo requests, nothing sent.
  const writesBefore = kanvo.counts.writes;
  await dialog.getByRole('button', { name: 'Dry run now' }).click();
  await expect(page.getByTestId('editor')).toBeVisible();
  const panel = page.getByTestId('test-panel');
  await expect(panel.getByTestId('dry-run-banner')).toBeVisible();
  await expect(page.getByTestId('node-contacted').getByText('Ran OK')).toBeVisible();
  await expect(panel).toContainText('would be sent');
  expect(kanvo.counts.writes).toBe(writesBefore);

  await page.getByRole('button', { name: 'Go live' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
});

test('export from the list: the template file downloads and copies; importing the file gives the same workflow', async ({
  page,
  pipewright,
}) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await pipewright.open(page, '#/workflows');
  const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row', { name: new RegExp(templateName) });
  await row.getByRole('button', { name: `More actions for ${templateName}` }).click();
  await page.getByRole('menuitem', { name: 'Export as template…' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('export-result')).toContainText('No credentials in this template');
  const exported = await pipewright.call('templates.export', { id: TEMPLATE });
  const text = `${JSON.stringify(exported.template, null, 2)}\n`;
  await expect(dialog.getByTestId('template-json')).toHaveText(text.trimEnd());
  expect(text).not.toContain(kanvo.keys.write);
  expect(text).not.toContain('kanvo-main');

  await dialog.getByRole('button', { name: 'Copy to clipboard' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog.getByRole('button', { name: `Download ${TEMPLATE}.json` }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${TEMPLATE}.json`);
  const file = await download.path();
  expect(readFileSync(file, 'utf8')).toBe(text);
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  // The downloaded file, imported again: the only Kanvo connection is chosen, and nothing is missing now.
  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByTestId('template-file-input').setInputFiles(file);
  const wizardDialog = wizard(page);
  await expect(wizardDialog.getByLabel('Connection for Kanvo')).toHaveValue('kanvo-main');
  await wizardDialog.getByRole('button', { name: /Next: check your account/ }).click();
  await expect(wizardDialog.getByText('Everything this template needs is there')).toBeVisible();
  await expect(wizardDialog.getByTestId('check-ready')).toBeVisible();
  await wizardDialog.getByRole('button', { name: /Next: review/ }).click();
  await wizardDialog.getByRole('button', { name: 'Import as draft' }).click();
  await expect(wizardDialog.getByTestId('import-done')).toContainText(`Saved as “${TEMPLATE}-2”`);
  await wizardDialog.getByRole('button', { name: 'Done' }).click();

  const again = await pipewright.call('templates.export', { id: `${TEMPLATE}-2` });
  expect(again.template).toEqual({ ...(exported.template as Workflow), id: `${TEMPLATE}-2` });
});

test('the editor exports the open workflow from its toolbar', async ({ page, pipewright }) => {
  await pipewright.open(page, `#/workflows/${TEMPLATE}`);
  await expect(page.getByTestId('save-state')).toContainText('Saved');
  await page.getByRole('button', { name: 'Export as template' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: `Export “${templateName}” as a template` })).toBeVisible();
  await expect(dialog.getByRole('button', { name: `Download ${TEMPLATE}.json` })).toBeEnabled();
});

test('a template that cannot be used, pasted or dropped on the window, is refused with every problem and nothing is imported', async ({
  page,
  pipewright,
}) => {
  const before = (await pipewright.call('workflows.list', {})).length;
  const good = (await pipewright.call('templates.get', { template: 'local-lead-follow-up' })).document as Workflow;
  const bad = {
    ...good,
    id: 'broken-template',
    nodes: [...good.nodes, { id: 'mystery', type: 'nope.doSomething', version: 1, params: {}, position: { x: 0, y: 300 } }],
  };
  bad.nodes[1] = { ...(bad.nodes[1] as Workflow['nodes'][number]), version: 99 };

  await pipewright.open(page, '#/templates');
  await page.getByRole('button', { name: 'Paste from clipboard' }).click();
  await page.getByRole('dialog').getByLabel('Template').fill(JSON.stringify(bad));
  await page.getByRole('dialog').getByRole('button', { name: 'Continue' }).click();
  const refused = page.getByTestId('template-refused');
  await expect(refused).toContainText('This template cannot be used');
  const problems = refused.getByRole('list', { name: 'Problems with the template' }).getByRole('listitem');
  await expect(problems).not.toHaveCount(0);
  await expect(refused).toContainText('version 99');
  await expect(refused).toContainText('nope.doSomething');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();

  // Dropped on the window, anywhere in the app.
  await page.getByRole('link', { name: 'Runs' }).click();
  await page.evaluate(
    (text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'broken.json', { type: 'application/json' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
      }
    },
    JSON.stringify({ ...bad, format: 'pipewright.workflow/9' }),
  );
  await expect(page.getByTestId('template-refused')).toContainText('newer Pipewright');
  expect((await pipewright.call('workflows.list', {})).length).toBe(before);
});
