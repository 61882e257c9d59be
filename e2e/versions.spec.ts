import type { Locator, Page } from '@playwright/test';
import type { WorkflowInput } from '../src-main/shared/workflow.ts';
import { expect, test } from './fixtures.ts';

/**
 * Version history in the editor: an operator edits a workflow twice, reads what changed in plain
 * words, looks at an old version without changing anything, restores it and undoes the restore.
 */

const ID = 'lead-call-after-wait';

const workflow: WorkflowInput = {
  format: 'pipewright.workflow/1',
  id: ID,
  name: 'New lead: call after two days',
  connections: {},
  nodes: [
    { id: 'new_lead', type: 'local.recordCreated', version: 1, name: 'New lead', params: { objectType: 'lead' }, position: { x: 0, y: 0 } },
    {
      id: 'wait',
      type: 'logic.wait',
      version: 1,
      name: 'Wait',
      params: { mode: 'duration', amount: 2, unit: 'days' },
      position: { x: 300, y: 0 },
    },
    {
      id: 'call',
      type: 'local.createTask',
      version: 1,
      name: 'Call the lead',
      params: { title: 'Call {{ trigger.data.title }}', record_id: '{{ trigger.data.id }}' },
      position: { x: 600, y: 0 },
    },
  ],
  edges: [
    { from: 'new_lead', to: 'wait' },
    { from: 'wait', to: 'call' },
  ],
};

function node(page: Page | Locator, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

test('the history says what changed, shows an old version read-only and restores it', async ({ page, pipewright }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await pipewright.call('workflows.save', { document: workflow, note: 'Created' });
  await pipewright.open(page, `#/workflows/${ID}`);
  const canvas = page.getByTestId('canvas');
  await expect(node(canvas, 'wait')).toContainText('Wait 2 days');

  // One version so far: the history explains what it will show.
  await page.getByRole('button', { name: 'History' }).click();
  const history = page.getByTestId('version-history');
  await expect(history.getByRole('heading', { name: 'Only one version so far' })).toBeVisible();
  await expect(history.getByTestId('version-1')).toContainText('Created');
  await page.getByRole('button', { name: 'Close version history' }).click();

  // Edit 1: wait a day longer, saved with a note.
  await node(canvas, 'wait').click();
  const panel = page.getByTestId('side-panel');
  await panel.getByLabel('How long').fill('3');
  await expect(node(canvas, 'wait')).toContainText('Wait 3 days');
  await page.getByRole('button', { name: 'Save with a note' }).click();
  await page.getByLabel('What changed?').fill('Wait a day longer');
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByTestId('save-state')).toContainText('Saved');

  // Edit 2: a new step after the task, and a new task title; saved without a note.
  await node(canvas, 'call').hover();
  await page.getByRole('button', { name: 'Add a step after “Call the lead”' }).click();
  const insertMenu = page.getByTestId('insert-menu');
  await insertMenu.getByPlaceholder('What happens next?').fill('Move to stage');
  await insertMenu.getByRole('option', { name: /^Move to stage/ }).click();
  await expect(node(canvas, 'move_stage')).toBeVisible();
  await node(canvas, 'call').click();
  const title = panel.getByRole('textbox', { name: 'Task', exact: true });
  await title.click();
  await page.keyboard.press('Home');
  await page.keyboard.type('Phone or ');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved');

  // The history: newest first, with notes; the newest version's changes are shown at once.
  await page.getByRole('button', { name: 'History' }).click();
  await expect(panel).toBeHidden();
  await expect(history.getByRole('button', { name: /^Version \d/ })).toHaveText([
    /Version 3.*Current.*No note/,
    /Version 2.*Wait a day longer/,
    /Version 1.*Created/,
  ]);
  const changes = history.getByTestId('version-changes');
  await expect(history.getByRole('heading', { name: 'What changed from version 2 to version 3' })).toBeVisible();
  await expect(changes).toContainText("Added step 'Move to stage' after 'Call the lead'");
  await expect(changes).toContainText('Task of \'Call the lead\': "Call [New lead › Title]" → "Phone or Call [New lead › Title]"');

  await history.getByTestId('version-2').click();
  await expect(changes.getByRole('listitem')).toHaveText(['Wait: 2 days → 3 days']);

  // Any two versions can be compared.
  await history.getByTestId('version-3').click();
  await history.getByLabel('Compare with').selectOption('1');
  await expect(history.getByRole('heading', { name: 'What changed from version 1 to version 3' })).toBeVisible();
  await expect(changes.getByRole('listitem')).toHaveCount(3);
  await expect(changes).toContainText('Wait: 2 days → 3 days');

  // Version 1, read-only: its canvas, and nothing can be changed there.
  await history.getByTestId('version-1').click();
  await expect(history.getByTestId('version-details')).toContainText('This is how the workflow started.');
  await history.getByRole('button', { name: 'Open read-only' }).click();
  const preview = page.getByTestId('version-preview');
  await expect(preview.getByRole('status')).toContainText('You are looking at version 1 (read-only)');
  await expect(node(preview, 'wait')).toContainText('Wait 2 days');
  await expect(node(preview, 'move_stage')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: /^Add a step after/ })).toHaveCount(0);
  // The toolbar's Save and Test would act on the hidden current version: they wait until it is back.
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Test', exact: true })).toBeDisabled();
  await page.keyboard.press('Delete');
  await preview.getByRole('button', { name: 'Back to current' }).click();
  await expect(preview).toBeHidden();
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeEnabled();
  await expect(node(canvas, 'move_stage')).toBeVisible();
  await expect(node(canvas, 'wait')).toContainText('Wait 3 days');

  // Restore it, from the read-only view, after confirming.
  await history.getByRole('button', { name: 'Open read-only' }).click();
  await preview.getByRole('button', { name: 'Restore this version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore version 1?' });
  await expect(dialog).toContainText('saved again as version 4');
  await dialog.getByRole('button', { name: 'Restore version 1' }).click();
  await expect(dialog).toBeHidden();
  await expect(preview).toBeHidden();
  const toast = page.getByRole('status').filter({ hasText: 'Restored version 1 (saved as version 4).' });
  await expect(toast).toBeVisible();
  await expect(node(canvas, 'move_stage')).toHaveCount(0);
  await expect(node(canvas, 'wait')).toContainText('Wait 2 days');
  await expect(page.getByTestId('save-state')).toContainText('Saved');
  await expect(history.getByTestId('version-4')).toContainText('Restored version 1');
  await expect(history.getByTestId('version-4')).toContainText('Current');
  await expect(history.getByRole('heading', { name: 'What changed from version 3 to version 4' })).toBeVisible();
  await expect(changes).toContainText("Removed step 'Move to stage'");

  // The toast undoes it: version 3 comes back, as version 5.
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(node(canvas, 'move_stage')).toBeVisible();
  await expect(history.getByTestId('version-5')).toContainText('Restored version 3');
  const versions = await pipewright.call('workflows.versions', { id: ID });
  expect(versions.map((v) => v.note)).toEqual(['Restored version 3', 'Restored version 1', null, 'Wait a day longer', 'Created']);
});
