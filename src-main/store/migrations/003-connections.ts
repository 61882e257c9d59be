/**
 * Connections to remote apps and which connection each workflow alias uses. Credentials are NOT
 * here: they live encrypted in `secrets` under `connection:<name>:…`, so this table can be shown,
 * exported or logged without leaking a key.
 */
export const connectionsSchema = `
CREATE TABLE connections (
  name TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  base_url TEXT,
  auth TEXT NOT NULL CHECK (auth IN ('bearer', 'apiKey', 'oauth')),
  -- Per-app settings that are not secret, e.g. the generic CRM's entityId.
  extras TEXT NOT NULL DEFAULT '{}',
  -- {"requestsPerSecond": n, "burst": n}; NULL means the app's default.
  rate_limit TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX connections_by_app ON connections(app, name);

-- No foreign key to workflows: an import binds aliases while the workflow is being saved.
CREATE TABLE workflow_bindings (
  workflow_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  connection_name TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
  PRIMARY KEY (workflow_id, alias)
);
CREATE INDEX workflow_bindings_by_connection ON workflow_bindings(connection_name);
`;
