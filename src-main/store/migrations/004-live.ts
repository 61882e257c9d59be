/**
 * Going live: webhook addresses per live trigger, the writes we made to remote apps (echo
 * suppression), the workflow an inbox event is addressed to, and why a workflow was paused.
 */
export const liveSchema = `
CREATE TABLE hooks (
  -- The unguessable path segment of /hooks/<token>.
  token TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  app TEXT NOT NULL,
  connection_name TEXT,
  -- 'webhook': deliveries arrive at the address (registered with the app, or pasted by the user);
  -- 'poll': no public address is set, so the trigger reads changes on an interval.
  mode TEXT NOT NULL CHECK (mode IN ('webhook', 'poll')),
  -- The app's id of the webhook we registered (its signing secret is in secrets, encrypted).
  remote_id TEXT,
  poll_cursor TEXT,
  polled_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (workflow_id, node_id)
);

CREATE TABLE echoes (
  connection_name TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  fields_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (connection_name, resource_id, fields_hash)
);
CREATE INDEX echoes_by_expiry ON echoes(expires_at);

ALTER TABLE inbox ADD COLUMN workflow_id TEXT;
CREATE INDEX runs_by_event ON runs(event_id) WHERE event_id IS NOT NULL;
ALTER TABLE workflows ADD COLUMN paused_reason TEXT;
`;
