// Profile only the timed loop: many runs, little setup.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app.ts';

const app = createApp({ dataDir: mkdtempSync(join(tmpdir(), 'pw-')) });
const wf = app.validate({
  format: 'pipewright.workflow/1',
  id: 'b',
  name: 'b',
  nodes: [
    { id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' } },
    {
      id: 'check',
      type: 'logic.if',
      params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.data.value', operator: 'gt', value: 100 }] } },
    },
    { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.title }}', record_id: '{{ trigger.data.id }}' } },
    { id: 'tag', type: 'local.tagContact', params: { contact_id: '{{ trigger.data.data.contact }}', tags: 'hot-lead' } },
    { id: 'stage', type: 'local.moveStage', params: { record_id: '{{ trigger.data.id }}', pipeline: 'main-sales', stage: 'Contacted' } },
  ],
  edges: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'task', port: 'true' },
    { from: 'task', to: 'tag' },
    { from: 'tag', to: 'stage' },
  ],
});
if (!wf.ok) throw new Error('x');
const events: any[] = [];
app.crm.transaction(() => {
  for (let i = 0; i < 12000; i++) {
    const c = app.crm.createContact({ email: `b${i}@x.com` });
    const r = app.crm.createRecord({
      type: 'lead',
      title: `L${i}`,
      pipeline: 'main-sales',
      stage: 'New',
      data: { value: 500, contact: c.id },
    });
    events.push({ event: 'record.created', timestamp: r.created_at, data: r });
  }
});
const t = performance.now();
for (const e of events) await app.engine.run(wf.workflow, e);
console.log('runs/s', (events.length / ((performance.now() - t) / 1000)).toFixed(0));
await app.close();
