// Load generator for the webhook benchmark, run in a child process so it does not share the
// server's event loop (autocannon inside a worker thread reports raw histograms instead): autocannon sends Kanvo-style signed `record.created` deliveries, each a
// new record (unique body, so none is a duplicate), and reports throughput and ack latency.
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';

const { url, secret, duration, connections, overallRate, prefix, contactId, recordIds } = JSON.parse(process.argv[2]);
let n = 0;

const result = await autocannon({
  url,
  method: 'POST',
  duration,
  connections,
  ...(overallRate ? { overallRate } : {}),
  requests: [
    {
      setupRequest(req) {
        const i = n++;
        const body = JSON.stringify({
          event: 'record.created',
          workspace_id: 'ws_bench',
          timestamp: new Date().toISOString(),
          data: {
            id: `${prefix}-${i}`,
            title: `Lead ${i}`,
            object_type_id: 'ot_lead',
            object_types: { slug: 'lead', name: 'Lead' },
            stage_id: null,
            assignee_id: null,
            data: { value: 500, contact: contactId, local_record: recordIds[i % recordIds.length] },
            created_at: new Date().toISOString(),
          },
        });
        const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-kanvo-signature': signature } };
      },
    },
  ],
});

process.send({
  sent: result.requests.sent,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  duration: result.duration,
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
});
