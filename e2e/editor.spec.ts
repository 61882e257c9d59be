import type { Locator, Page } from '@playwright/test';
import { expect, type Pipewright, test } from './fixtures.ts';

/**
 * The workflow editor, driven as a new operator would: drag steps from the palette, wire them,
 * fill the forms with the data picker, test safely, go live, and watch a real event run.
 */

const SHOTS = 'test-results';

async function openNewWorkflow(page: Page, pipewright: Pipewright, name: string): Promise<void> {
  await pipewright.open(page, '#/workflows/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page.getByTestId('empty-canvas')).toBeVisible();
  await expect(page.getByTestId('save-state')).toContainText('Saved');
}

function node(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

async function dragStep(page: Page, search: string, type: string, x: number, y: number): Promise<void> {
  await page.getByPlaceholder('Search steps…').fill(search);
  await page.locator(`[data-step-type="${type}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  await page.getByPlaceholder('Search steps…').fill('');
}

/** Drags from a step's output handle to another step's input, as on the canvas. */
async function connect(page: Page, from: string, to: string): Promise<void> {
  await node(page, from).locator('.react-flow__handle.source').first().hover();
  await page.mouse.down();
  await node(page, to).locator('.react-flow__handle.target').hover();
  await page.mouse.up();
}

async function pickData(page: Page, field: string, search: string, option: RegExp, shot?: string): Promise<void> {
  await page.getByRole('button', { name: `Insert data into “${field}”` }).click();
  const picker = page.getByTestId('data-picker');
  await picker.getByPlaceholder('Search data from earlier steps…').fill(search);
  if (shot) await page.screenshot({ path: `${SHOTS}/${shot}` });
  await picker.getByRole('option', { name: option }).first().click();
}

async function fitView(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Zoom to fit' }).click();
  await page.waitForTimeout(400);
}

test('a new operator builds a workflow, tests it, goes live and sees it run', async ({ page, pipewright }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  // A recent lead: the data picker and the test offer the newest matching record as example data.
  await pipewright.call('crm.createRecord', {
    type: 'lead',
    title: 'Harbor View Dental - Window Cleaning',
    pipeline: 'main-sales',
    stage: 'new',
    data: { email: 'priya.patel@example.com', value: 2400 },
  });
  const name = `New lead follow-up ${Date.now().toString(36)}`;
  await openNewWorkflow(page, pipewright, name);
  await page.screenshot({ path: `${SHOTS}/editor-empty.png` });

  // The trigger: "Record created", for leads.
  await dragStep(page, 'Record created', 'local.recordCreated', 140, 220);
  await expect(node(page, 'record_created')).toBeVisible();
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByRole('heading', { name: 'Record created' })).toBeVisible();
  await panel.getByLabel('Object type').selectOption('lead');
  await expect(node(page, 'record_created')).toContainText('When a Lead is created');

  // Action 1, dragged and wired by hand: "Add task".
  await dragStep(page, 'Add task', 'local.createTask', 480, 220);
  await connect(page, 'record_created', 'create_task');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await node(page, 'create_task').click();
  await panel.getByRole('textbox', { name: 'Task', exact: true }).click();
  await page.keyboard.type('Call ');
  await pickData(page, 'Task', 'title', /^Title/, 'editor-data-picker.png');
  await expect(panel.getByRole('textbox', { name: 'Task', exact: true }).locator('.pw-ed-pill')).toHaveText('Record created › Title');
  await panel.getByRole('button', { name: 'Choose a date' }).click();
  await page.getByRole('button', { name: 'Use' }).first().click();
  await expect(panel.getByRole('textbox', { name: 'Due date' })).toContainText('2 days after the run starts');
  await expect(node(page, 'create_task')).toContainText('Call [Title]');
  await page.screenshot({ path: `${SHOTS}/editor-side-panel.png` });

  // Action 2, from the "+" on the task's output: "Tag contact", connected at once.
  await node(page, 'create_task').hover();
  await page.getByRole('button', { name: 'Add a step after “Add task”' }).click();
  const insertMenu = page.getByTestId('insert-menu');
  await insertMenu.getByPlaceholder('What happens next?').fill('Tag contact');
  await insertMenu.getByRole('option', { name: /^Tag contact/ }).click();
  await expect(node(page, 'tag_contact')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await pickData(page, 'Contact', 'email', /Email/);
  await panel.getByLabel('Tags').fill('new-lead');
  await page.keyboard.press('Enter');
  await expect(node(page, 'tag_contact')).toContainText('Add tag: new-lead');

  // Action 3, dragged: "Move to stage" → Contacted.
  await dragStep(page, 'Move to stage', 'local.moveStage', 320, 440);
  await fitView(page);
  await connect(page, 'tag_contact', 'move_stage');
  await expect(page.locator('.react-flow__edge')).toHaveCount(3);
  await node(page, 'move_stage').click();
  await expect(panel.getByRole('textbox', { name: 'Record' }).locator('.pw-ed-pill')).toHaveText('Record created › Record ID');
  await panel.getByLabel('Stage', { exact: true }).selectOption('contacted');
  await expect(node(page, 'move_stage')).toContainText('Stage → Contacted');
  await expect(page.locator('.pw-ed-node.has-issues')).toHaveCount(0);
  await page.getByRole('button', { name: 'Tidy up (auto-layout)' }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${SHOTS}/editor-building.png` });

  // A dry run with the trigger's example event: every step runs, nothing changes.
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const testPanel = page.getByTestId('test-panel');
  await testPanel.getByRole('button', { name: 'Run test' }).click();
  await expect(testPanel.getByTestId('dry-run-banner')).toContainText('Nothing was changed — this was a test.');
  const changes = testPanel.getByTestId('planned-changes');
  await expect(changes.getByRole('article', { name: /Create task Call/ })).toBeVisible();
  await expect(changes.getByRole('article', { name: /Update contact/ })).toContainText('new-lead');
  await expect(changes.getByRole('article', { name: /Update record/ })).toContainText('Contacted');
  for (const id of ['record_created', 'create_task', 'tag_contact', 'move_stage']) {
    await expect(node(page, id).locator('[data-status="succeeded"]')).toBeVisible();
  }
  await page.screenshot({ path: `${SHOTS}/editor-test-panel.png` });
  await testPanel.getByRole('tab', { name: /Steps/ }).click();
  await testPanel.getByRole('button', { name: /Add task/ }).click();
  await expect(testPanel.getByText('Received')).toBeVisible();

  // Go live: saved, validated, switched on.
  await page.getByRole('button', { name: 'Go live' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
  await expect(page.getByRole('switch', { name: 'Live' })).toBeChecked();
  const saved = (await pipewright.call('workflows.list', {})).find((w) => w.name === name);
  expect(saved?.status).toBe('live');
  const workflowId = saved?.id as string;

  // A matching lead arrives: the live run does the work.
  const contact = 'linh.nguyen@example.org';
  const record = await pipewright.call('crm.createRecord', {
    type: 'lead',
    title: 'Nguyen Garden - Spring Cleanup',
    pipeline: 'main-sales',
    stage: 'new',
    data: { email: contact },
  });
  const recordId = record.id as string;
  await expect
    .poll(async () => (await pipewright.call('runs.list', { workflowId })).map((r) => `${r.mode}:${r.status}`), { timeout: 20_000 })
    .toContain('live:succeeded');
  const tasks = await pipewright.call('crm.tasks', { recordId });
  expect(tasks.rows.map((t) => t.title)).toContain('Call Nguyen Garden - Spring Cleanup');
  const tagged = await pipewright.call('crm.contacts', { tag: 'new-lead' });
  expect(tagged.rows.map((c) => c.email)).toContain(contact);
  const records = await pipewright.call('crm.records', { type: 'lead', search: 'Nguyen Garden' });
  expect(records.rows.find((r) => r.id === recordId)?.stage).toBe('Contacted');

  // Turned off again from the editor.
  await page.getByRole('switch', { name: 'Live' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Draft');
});

test('undo and redo, copy and paste, auto-layout and keyboard shortcuts', async ({ page, pipewright }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openNewWorkflow(page, pipewright, `Editing ${Date.now().toString(36)}`);
  await dragStep(page, 'Record created', 'local.recordCreated', 140, 200);
  await dragStep(page, 'Add task', 'local.createTask', 160, 420);
  await dragStep(page, 'Tag contact', 'local.tagContact', 520, 320);
  const steps = page.locator('.react-flow__node-step');
  await expect(steps).toHaveCount(3);

  // Undo removes the last step, redo brings it back (focus on the canvas, not in a field).
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+z');
  await expect(steps).toHaveCount(2);
  await page.keyboard.press('Control+Shift+z');
  await expect(steps).toHaveCount(3);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(steps).toHaveCount(2);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(steps).toHaveCount(3);

  // Typing in a field is one undo step, not one per key.
  await node(page, 'create_task').click();
  await page.getByTestId('side-panel').getByRole('textbox', { name: 'Task', exact: true }).click();
  await page.keyboard.type('Call back');
  await expect(node(page, 'create_task')).toContainText('Call back');
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+z');
  await expect(node(page, 'create_task')).toContainText('Describe the task');
  await page.keyboard.press('Control+y');
  await expect(node(page, 'create_task')).toContainText('Call back');

  // Copy and paste: new ids, shifted, settings kept.
  await node(page, 'create_task').click();
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(steps).toHaveCount(4);
  await expect(node(page, 'create_task_2')).toContainText('Call back');
  const original = await node(page, 'create_task').boundingBox();
  const copy = await node(page, 'create_task_2').boundingBox();
  expect(copy && original && copy.x > original.x && copy.y > original.y).toBeTruthy();

  // Delete removes the selection (the pasted copy is selected).
  await page.keyboard.press('Delete');
  await expect(steps).toHaveCount(3);

  // Select all and auto-layout: wired steps line up left to right.
  await connect(page, 'record_created', 'create_task');
  await connect(page, 'create_task', 'tag_contact');
  await page.getByRole('button', { name: 'Tidy up (auto-layout)' }).click();
  await expect
    .poll(async () => {
      const boxes = await Promise.all(['record_created', 'create_task', 'tag_contact'].map((id) => node(page, id).boundingBox()));
      const [a, b, c] = boxes.map((box) => box ?? { x: 0, y: 0 });
      return (a?.x ?? 0) < (b?.x ?? 0) && (b?.x ?? 0) < (c?.x ?? 0) && Math.abs((a?.y ?? 0) - (c?.y ?? 0)) < 40;
    })
    .toBe(true);
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+a');
  await expect(page.locator('.react-flow__node-step.selected')).toHaveCount(3);

  // Ctrl+S saves.
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved');

  // Sticky notes.
  await page.getByRole('button', { name: 'Add a sticky note' }).click();
  await page.getByLabel('Note text').fill('Ask Dana before changing the stage.');
  await expect(page.locator('.react-flow__node-note')).toHaveCount(1);
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved');

  // Copied steps paste into another workflow too, settings and all.
  await node(page, 'create_task').click();
  await page.keyboard.press('Control+c');
  await openNewWorkflow(page, pipewright, `Pasted into ${Date.now().toString(36)}`);
  await page.locator('.react-flow__pane').click({ position: { x: 200, y: 200 } });
  await page.keyboard.press('Control+v');
  await expect(page.locator('.react-flow__node-step')).toHaveCount(1);
  await expect(node(page, 'create_task')).toContainText('Call back');

  // Unsaved changes survive a trip to another screen: the editor offers them back.
  await page.getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByTestId('editor')).toHaveCount(0);
  await page.goBack();
  await expect(page.getByTestId('editor')).toBeVisible();
  await page.getByRole('button', { name: 'Bring them back' }).click();
  await expect(node(page, 'create_task')).toContainText('Call back');
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
});

test('an incomplete step blocks going live; each problem leads to its step', async ({ page, pipewright }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openNewWorkflow(page, pipewright, `Incomplete ${Date.now().toString(36)}`);
  await dragStep(page, 'Record created', 'local.recordCreated', 140, 220);
  await node(page, 'record_created').hover();
  await page.getByRole('button', { name: 'Add a step after “Record created”' }).click();
  const insertMenu = page.getByTestId('insert-menu');
  await insertMenu.getByPlaceholder('What happens next?').fill('Add task');
  await insertMenu.getByRole('option', { name: /^Add task/ }).click();
  await expect(node(page, 'create_task')).toBeVisible();
  // Leave the task without its title, and deselect everything.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await expect(page.getByTestId('side-panel')).toHaveCount(0);

  await page.getByRole('button', { name: 'Go live' }).click();
  const problems = page.getByTestId('problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText('to go live');
  await expect(page.getByTestId('workflow-status')).toHaveText('Draft');
  await expect(node(page, 'create_task')).toContainText('Needs attention');
  await page.screenshot({ path: `${SHOTS}/editor-go-live-refusal.png` });

  await problems
    .getByRole('button', { name: /Add task/ })
    .first()
    .click();
  await expect(node(page, 'create_task')).toHaveClass(/selected/);
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByRole('heading', { name: 'Add task' })).toBeVisible();
  await expect(panel.getByText('This field is required.')).toBeVisible();

  // Fixing it clears the list and offers to go live.
  await panel.getByRole('textbox', { name: 'Task', exact: true }).click();
  await page.keyboard.type('Call the lead');
  await expect(problems).toContainText('All fixed');
  await problems.getByRole('button', { name: 'Go live now' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Live');
  await page.getByRole('switch', { name: 'Live' }).click();
  await expect(page.getByTestId('workflow-status')).toHaveText('Draft');
});
