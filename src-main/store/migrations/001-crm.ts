/**
 * The local CRM (DESIGN.md §5). Ids are uuids, timestamps ISO strings, JSON columns TEXT.
 * Tables are created parents first; CRM_TABLES in store/crm.ts keeps the same order so a
 * copy (dry runs) can be filled with foreign keys on.
 */
export const crmSchema = `
CREATE TABLE crm_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE object_types (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  slug     TEXT NOT NULL UNIQUE,
  icon     TEXT,
  position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE pipelines (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE
);

CREATE TABLE stages (
  id          TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL,
  position    INTEGER NOT NULL,
  UNIQUE (pipeline_id, slug)
);

CREATE TABLE companies (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  domain     TEXT,
  data       TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Link indexes are partial: rows without the link never touch them, which keeps the pages
-- written per commit (and so WAL checkpoints) down on the hot path.

-- Emails are stored lowercased so the UNIQUE constraint is case-insensitive; NULLs never clash.
CREATE TABLE contacts (
  id         TEXT PRIMARY KEY,
  email      TEXT UNIQUE CHECK (email IS NULL OR email = lower(email)),
  first_name TEXT,
  last_name  TEXT,
  phone      TEXT,
  company_id TEXT REFERENCES companies(id),
  data       TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX contacts_company ON contacts(company_id) WHERE company_id IS NOT NULL;

-- NOCASE: "VIP" and "vip" are the same tag to an operator.
CREATE TABLE contact_tags (
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL COLLATE NOCASE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (contact_id, tag)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag);

CREATE TABLE records (
  id             TEXT PRIMARY KEY,
  object_type_id TEXT NOT NULL REFERENCES object_types(id),
  title          TEXT NOT NULL,
  pipeline_id    TEXT REFERENCES pipelines(id),
  stage_id       TEXT REFERENCES stages(id),
  assignee_id    TEXT,
  data           TEXT NOT NULL DEFAULT '{}',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  deleted_at     TEXT
);
CREATE INDEX records_created ON records(created_at, id);
CREATE INDEX records_type ON records(object_type_id, created_at, id);
CREATE INDEX records_stage ON records(stage_id, created_at, id) WHERE stage_id IS NOT NULL;
CREATE INDEX records_pipeline ON records(pipeline_id) WHERE pipeline_id IS NOT NULL;

CREATE TABLE tasks (
  id           TEXT PRIMARY KEY,
  title        TEXT NOT NULL,
  record_id    TEXT REFERENCES records(id),
  contact_id   TEXT REFERENCES contacts(id),
  assignee_id  TEXT,
  due_date     TEXT,
  notes        TEXT,
  completed    INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  completed_at TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  deleted_at   TEXT
);
CREATE INDEX tasks_record ON tasks(record_id) WHERE record_id IS NOT NULL;
CREATE INDEX tasks_contact ON tasks(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tasks_open_due ON tasks(due_date) WHERE completed = 0 AND deleted_at IS NULL;

CREATE TABLE notes (
  id         TEXT PRIMARY KEY,
  record_id  TEXT REFERENCES records(id),
  contact_id TEXT REFERENCES contacts(id),
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX notes_record ON notes(record_id) WHERE record_id IS NOT NULL;
CREATE INDEX notes_contact ON notes(contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE activities (
  id         TEXT PRIMARY KEY,
  record_id  TEXT REFERENCES records(id),
  contact_id TEXT REFERENCES contacts(id),
  type       TEXT NOT NULL,
  summary    TEXT NOT NULL,
  data       TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX activities_record ON activities(record_id) WHERE record_id IS NOT NULL;
CREATE INDEX activities_contact ON activities(contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE form_submissions (
  id         TEXT PRIMARY KEY,
  form       TEXT NOT NULL,
  fields     TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions(form, created_at);
`;
