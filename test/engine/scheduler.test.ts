import { describe, expect, it } from 'vitest';
import { tempApp } from '../helpers.ts';

const scheduled = {
  format: 'pipewright.workflow/1',
  id: 'morning-digest',
  name: 'Morning digest',
  settings: { timezone: 'America/New_York', maxChainDepth: 5 },
  nodes: [
    { id: 'every-morning', type: 'logic.schedule', params: { cron: '0 9 * * 1-5' } },
    { id: 'overdue', type: 'local.findRecords', params: { type: 'lead' } },
    {
      id: 'note',
      type: 'local.logActivity',
      params: { record_id: '{{ steps.overdue.output.first.id }}', type: 'digest', summary: '{{ steps.overdue.output.count }} leads' },
    },
  ],
  edges: [
    { from: 'every-morning', to: 'overdue' },
    { from: 'overdue', to: 'note' },
  ],
};

describe('schedules', () => {
  it('a live schedule is planned in the workflow time zone and fires a run', async () => {
    const app = tempApp({ now: () => new Date('2026-06-17T10:00:00.000Z') });
    app.save(scheduled);
    app.setLive('morning-digest', true);
    app.start();
    const next = app.scheduler.nextRun('morning-digest') as Date;
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    expect(local.format(next)).toMatch(/^(Mon|Tue|Wed|Thu|Fri),? 09:00$/);

    app.scheduler.fire('morning-digest');
    app.scheduler.fire('morning-digest'); // the same minute: deduplicated
    await app.settle();
    const runs = app.journal.list({ workflowId: 'morning-digest' });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('succeeded');
    const run = app.engine.result(runs[0]?.runId as string, app.workflows.document('morning-digest') as never);
    expect(run.trigger).toMatchObject({ event: 'schedule', data: { scheduledFor: '2026-06-17T10:00:00.000Z' } });
    expect(app.crm.listActivities({}).some((a) => a.type === 'digest' && a.summary === '5 leads')).toBe(true);
  });

  it('turning a workflow off removes its schedule', () => {
    const app = tempApp();
    app.save(scheduled);
    app.setLive('morning-digest', true);
    app.start();
    expect(app.scheduler.nextRun('morning-digest')).toBeInstanceOf(Date);
    app.setLive('morning-digest', false);
    expect(app.scheduler.nextRun('morning-digest')).toBeUndefined();
  });

  it('an invalid schedule is refused with the reason', () => {
    const app = tempApp();
    const bad = structuredClone(scheduled);
    bad.nodes[0] = { ...bad.nodes[0], params: { cron: 'every morning' } } as (typeof bad.nodes)[number];
    const result = app.validate(bad);
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => i.message).join('\n')).toMatch(/Step "every-morning": field "cron" is not a valid schedule/);
  });
});
