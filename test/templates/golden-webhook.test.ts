import { describe, expect, it } from 'vitest';
import { startHookServer } from '../../src-main/server/hooks.ts';
import { afterThisTest, tempApp } from '../helpers.ts';
import { dryRun, importBundled, liveRun, sampleOf } from './golden.ts';

describe('webhook-to-lead', () => {
  it('turns an enquiry sent by any system into a tagged contact and a lead, once per delivery', async () => {
    const app = tempApp();
    const { workflowId } = await importBundled(app, 'webhook-to-lead');
    const event = sampleOf(app, 'webhook-to-lead');

    const dry = await dryRun(app, workflowId, event, []);
    expect(dry.changes.map((c) => [c.entity, c.op, c.label])).toEqual([
      ['contact', 'create', 'Dana Whitfield'],
      ['record', 'create', 'Whitfield Landscaping - Enquiry'],
    ]);

    await liveRun(app, workflowId, event);
    expect(app.crm.findContactByEmail('dana@whitfield.example')?.tags).toContain('webhook-lead');

    // Live, through the workflow's own address: a sender retrying with the same delivery id runs once.
    const hooks = await startHookServer({ app, port: 0, log: () => {} });
    afterThisTest(() => hooks.close());
    app.settings.set('webhooks.publicUrl', hooks.origin);
    app.start();
    await app.setLive(workflowId, true);
    const [hook] = app.triggerHooks(workflowId);
    expect(hook).toMatchObject({ mode: 'webhook', registered: false, lastError: null });
    const body = JSON.stringify({ first_name: 'Omar', email: 'omar@example.com', company: 'Harbor Dental', message: 'Call me' });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(hook?.url as string, { method: 'POST', headers: { 'idempotency-key': 'order-77' }, body });
      expect(res.status).toBe(200);
    }
    const notAnObject = await fetch(hook?.url as string, { method: 'POST', body: '["a list"]' });
    expect(notAnObject.status).toBe(400);
    await app.settle();
    expect(app.crm.findRecords({ search: 'Harbor Dental - Enquiry' })).toHaveLength(1);
    expect(app.crm.findContactByEmail('omar@example.com')?.tags).toContain('webhook-lead');
  });
});
