import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/**
 * The Events screen: what a live workflow's trigger received, what each event started, and
 * replaying one. The tests share one server and build on each other, in order.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const template = JSON.parse(readFileSync(`${root}templates/local-lead-follow-up.json`, 'utf8'));
const WORKFLOW = 'New lead: follow-up task, tag and stage';
const NEW_LEAD = 'Levy Residence - Fence Repair';

test.describe.configure({ mode: 'serial' });

function notifications(page: Page) {
  return page.getByRole('region', { name: 'Notifications' });
}

test('before any workflow is live, the screen explains what will appear', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/events');
  await expect(page.getByRole('heading', { name: 'Events', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No events yet' })).toBeVisible();
  await expect(page.getByText("Events from your live workflows' triggers appear here")).toBeVisible();
  await expect(page.getByRole('link', { name: 'Events' })).toHaveAttribute('aria-current', 'page');
});

test('a live workflow’s event is listed as processed, with its payload and run, and replays', async ({ page, pipewright }) => {
  await pipewright.open(page, '#/events');
  await pipewright.call('workflows.save', { document: template });
  expect(await pipewright.call('workflows.setLive', { id: template.id, live: true })).toMatchObject({ ok: true });
  await pipewright.call('crm.createRecord', {
    type: 'lead',
    title: NEW_LEAD,
    pipeline: 'main-sales',
    data: { email: 'rachel.levy@example.com' },
  });
  // A job: the workflow listens to new records but only reacts to leads.
  await pipewright.call('crm.createRecord', { type: 'job', title: 'Garage Door Repair' });

  // The screen notices the new events on its own.
  const table = page.getByRole('table', { name: 'Events' });
  const lead = table.getByRole('row', { name: new RegExp(NEW_LEAD) });
  await expect(lead).toContainText('Local CRM');
  await expect(lead).toContainText('Record created');
  await expect(lead).toContainText('rachel.levy@example.com');
  await expect(lead.getByText('Processed', { exact: true })).toBeVisible();
  const job = table.getByRole('row', { name: /Garage Door Repair/ });
  await expect(job.getByText('No workflow matched', { exact: true })).toBeVisible();

  // The status filter counts each status and narrows the list.
  const filter = page.getByRole('group', { name: 'Show events by status' });
  await expect(filter.getByRole('button', { name: 'All 2' })).toHaveAttribute('aria-pressed', 'true');
  await filter.getByRole('button', { name: 'No workflow matched 1' }).click();
  await expect(table.getByRole('row')).toHaveCount(2); // header + the job
  await expect(job).toBeVisible();
  await filter.getByRole('button', { name: 'All 2' }).click();
  await expect(table.getByRole('row')).toHaveCount(3);

  // The details: what arrived, and the run it started.
  await lead.getByRole('link', { name: 'Record created' }).click();
  const detail = page.getByRole('dialog', { name: 'Record created' });
  await expect(detail.getByText('Event #1 from Local CRM')).toBeVisible();
  await expect(detail.getByRole('figure', { name: 'Event payload' })).toContainText(NEW_LEAD);
  const runs = detail.getByRole('list', { name: 'Runs it started' });
  await expect(runs.getByRole('listitem')).toHaveCount(1);
  await expect(runs.getByRole('link', { name: WORKFLOW })).toBeVisible();
  await expect(runs.getByText('Succeeded')).toBeVisible();

  // Replay asks first, then queues a copy that is processed like the original.
  await detail.getByRole('button', { name: 'Replay' }).click();
  const confirm = page.getByRole('dialog', { name: 'Replay event #1?' });
  await expect(confirm).toContainText('every live workflow that reacts to it runs again');
  await confirm.getByRole('button', { name: 'Replay event' }).click();
  await expect(notifications(page)).toContainText('Event #1 queued again');
  await expect(detail).toBeHidden();
  const leads = table.getByRole('row', { name: new RegExp(NEW_LEAD) });
  await expect(leads).toHaveCount(2);
  const copy = leads.filter({ hasText: 'Event #3' });
  await expect(copy.getByText('Processed', { exact: true })).toBeVisible();

  // The copy started a run of its own; its link opens the run.
  await copy.getByRole('link', { name: 'Record created' }).click();
  const copyDetail = page.getByRole('dialog', { name: 'Record created' });
  await expect(copyDetail.getByText('Event #3 from Local CRM')).toBeVisible();
  await copyDetail.getByRole('list', { name: 'Runs it started' }).getByRole('link', { name: WORKFLOW }).click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: WORKFLOW, level: 1 })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('older events load page by page', async ({ page, pipewright }) => {
  // 55 more jobs: with the three events before, more than one page of 50.
  for (let i = 1; i <= 55; i++) await pipewright.call('crm.createRecord', { type: 'job', title: `Job ${i}` });
  await pipewright.open(page, '#/events');
  const table = page.getByRole('table', { name: 'Events' });
  await expect(table.getByRole('row', { name: /Job 55/ })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(51);
  await expect(page.getByText('Showing 50 events, newest first')).toBeVisible();

  await page.getByRole('button', { name: 'Load older' }).click();
  await expect(table.getByRole('row')).toHaveCount(59);
  await expect(table.getByRole('row', { name: /Event #1\b/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load older' })).toHaveCount(0);
});
