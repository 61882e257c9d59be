import { describe, expect, it } from 'vitest';
import { tempApp } from '../helpers.ts';
import { dryRun, importBundled, liveRun, sampleOf } from './golden.ts';

/**
 * Golden runs of the local-CRM templates added with the gallery (the first four are in
 * test/templates.test.ts). The demo workspace is seeded relative to the real clock, so these
 * apps keep the real clock too.
 */

describe('local-stale-lead-reminder', () => {
  it('adds one follow-up task per lead idle in Contacted for a week that has no open task', async () => {
    const app = tempApp();
    const { workflowId } = await importBundled(app, 'local-stale-lead-reminder');
    // A lead that just arrived in Contacted is not idle.
    app.crm.createRecord({ type: 'lead', title: 'Fresh Lead', pipeline: 'main-sales', stage: 'Contacted' });
    const event = sampleOf(app, 'local-stale-lead-reminder');

    // Nguyen and Patel have waited two weeks; Patel already has an open task.
    const dry = await dryRun(app, workflowId, event, []);
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([
      ['task', 'create', 'Follow up: Nguyen Residence - Gutter Cleaning has waited a week in Contacted'],
    ]);

    await liveRun(app, workflowId, event);
    const [nguyen] = app.crm.findRecords({ search: 'Nguyen Residence' });
    expect(app.crm.listTasks({ record_id: nguyen?.id }).map((t) => [t.title, t.completed])).toEqual([
      ['Follow up: Nguyen Residence - Gutter Cleaning has waited a week in Contacted', false],
    ]);

    // The next morning the reminder is still open, so no second one is added.
    const again = await liveRun(app, workflowId, event);
    expect(again.steps.filter((s) => s.nodeId === 'remind').map((s) => s.status)).toEqual(['skipped', 'skipped']);
  });
});

describe('local-task-done-next-stage', () => {
  it('moves the record of a completed task one stage on and notes why', async () => {
    const app = tempApp();
    const { workflowId } = await importBundled(app, 'local-task-done-next-stage');
    const [johnson] = app.crm.findRecords({ search: 'Johnson Property' });
    const event = sampleOf(app, 'local-task-done-next-stage', { record_id: johnson?.id });

    const dry = await dryRun(app, workflowId, event, []);
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([
      ['record', 'update', 'Johnson Property - Lawn Care'],
      ['note', 'create', 'Moved on from New because "Call Sarah about lawn care" was done.'],
    ]);
    expect(dry.changes[0]?.fields).toContainEqual({ field: 'stage', before: 'New', after: 'Contacted' });

    await liveRun(app, workflowId, event);
    expect(app.crm.getRecord(johnson?.id as string)?.stage).toBe('Contacted');

    // Live: completing the Patels' task moves their lead from Contacted to Estimate Sent.
    await app.setLive(workflowId, true);
    app.start();
    const [patel] = app.crm.findRecords({ search: 'Patel Family' });
    const [task] = app.crm.listTasks({ record_id: patel?.id });
    app.crm.completeTask(task?.id as string);
    await app.settle();
    expect(app.crm.getRecord(patel?.id as string)?.stage).toBe('Estimate Sent');
    expect(app.crm.listNotes({ record_id: patel?.id }).map((n) => n.body)).toEqual([
      'Moved on from Contacted because "Send patio estimate to the Patels" was done.',
    ]);
  });
});
