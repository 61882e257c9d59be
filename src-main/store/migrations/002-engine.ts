/** The engine's own tables: workflows with version history, the run journal, the event inbox, secrets, settings. */
export const engineSchema = `
CREATE TABLE workflows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'paused')),
  current_version INTEGER NOT NULL,
  trigger_type TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX workflows_live ON workflows(status, trigger_type);

CREATE TABLE workflow_versions (
  workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  note TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  workflow_version INTEGER,
  workflow_name TEXT NOT NULL,
  -- The document of a run of an unsaved workflow; saved ones are found by version.
  document TEXT,
  mode TEXT NOT NULL CHECK (mode IN ('live', 'test')),
  dry_run INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  trigger TEXT NOT NULL,
  event_id INTEGER,
  depth INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  resume_at TEXT,
  error TEXT,
  summary TEXT
);
CREATE INDEX runs_by_workflow ON runs(workflow_id, started_at);
-- Only unfinished runs: what a restart resumes and what the scheduler wakes. Finished runs leave it.
CREATE INDEX runs_active ON runs(status, resume_at) WHERE status IN ('queued', 'running', 'waiting');

CREATE TABLE step_attempts (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step_key TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  ports TEXT,
  started_at TEXT NOT NULL,
  duration_ms REAL,
  resume_at TEXT,
  simulated INTEGER NOT NULL DEFAULT 0,
  changes TEXT,
  request TEXT
);
CREATE INDEX step_attempts_by_run ON step_attempts(run_id, id);

CREATE TABLE inbox (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  dedupe_key TEXT,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  cause_run_id TEXT,
  cause_workflow_id TEXT,
  depth INTEGER NOT NULL DEFAULT 0,
  processed_at TEXT,
  note TEXT
);
CREATE INDEX inbox_by_status ON inbox(status, id);
CREATE UNIQUE INDEX inbox_dedupe ON inbox(source, dedupe_key) WHERE dedupe_key IS NOT NULL;

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  iv BLOB NOT NULL,
  tag BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE trigger_state (
  workflow_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (workflow_id, node_id)
);
`;
