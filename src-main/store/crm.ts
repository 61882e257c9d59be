import type Database from 'better-sqlite3';
import type { Db } from './db.ts';
import { newId } from './ids.ts';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Why a write happened: lets the engine recognise events caused by its own runs (loop guard). */
export interface ChangeCause {
  runId?: string;
  workflowId?: string;
  depth: number;
}

/** Kanvo webhook payload shape. */
export interface CrmEvent {
  event: string;
  workspace_id: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export type CrmEntity = 'record' | 'contact' | 'company' | 'task' | 'note' | 'activity' | 'form_submission' | 'object_type' | 'pipeline';

export interface CrmChange {
  entity: CrmEntity;
  id: string;
  op: 'create' | 'update' | 'delete';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A problem the operator can fix; the message names the field and what was expected. */
export class CrmError extends Error {
  readonly field?: string;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'CrmError';
    this.field = field;
  }
}

export interface CrmStoreOptions {
  now?: () => Date;
  /** Called synchronously inside the write's transaction, so an inbox row commits with the change. */
  onEvent?: (event: CrmEvent, cause: ChangeCause | undefined) => void;
  /** Called synchronously for every row change (dry-run diffs). */
  onChange?: (change: CrmChange) => void;
}

type Json = Record<string, unknown>;

// Row shapes are type aliases (not interfaces) so they are assignable to Record<string, unknown>.
export type ObjectType = { id: string; name: string; slug: string; icon: string | null; position: number };
export type Stage = { id: string; pipeline_id: string; name: string; slug: string; position: number };
export type Pipeline = { id: string; name: string; slug: string; stages: Stage[] };

export type RecordRow = {
  id: string;
  title: string;
  object_type_id: string;
  object_type: string;
  pipeline_id: string | null;
  pipeline: string | null;
  stage_id: string | null;
  stage: string | null;
  assignee_id: string | null;
  data: Json;
  created_at: string;
  updated_at: string;
};

export type ContactRow = {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  name: string;
  phone: string | null;
  company_id: string | null;
  data: Json;
  tags: string[];
  created_at: string;
  updated_at: string;
};

export type CompanyRow = {
  id: string;
  name: string;
  domain: string | null;
  data: Json;
  created_at: string;
  updated_at: string;
};

export type TaskRow = {
  id: string;
  title: string;
  record_id: string | null;
  contact_id: string | null;
  assignee_id: string | null;
  due_date: string | null;
  notes: string | null;
  completed: boolean;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
};

export type NoteRow = { id: string; record_id: string | null; contact_id: string | null; body: string; created_at: string };

export type ActivityRow = {
  id: string;
  record_id: string | null;
  contact_id: string | null;
  type: string;
  summary: string;
  data: Json;
  created_at: string;
};

export type FormSubmissionRow = { id: string; form: string; fields: Json; created_at: string };

export interface ContactInput {
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  company_id?: string | null;
  data?: Record<string, unknown>;
  tags?: string[];
}

export interface RecordInput {
  type: string;
  title?: string;
  pipeline?: string;
  stage?: string;
  data?: Record<string, unknown>;
  assignee_id?: string | null;
}

export interface RecordPatch {
  title?: string;
  data?: Record<string, unknown>;
  dataMode?: 'merge' | 'replace';
  assignee_id?: string | null;
  pipeline?: string;
  stage?: string;
}

export interface RecordCountQuery {
  type?: string;
  search?: string;
  pipeline?: string;
  stage?: string;
}
export interface RecordQuery extends RecordCountQuery {
  limit?: number;
  offset?: number;
}

export interface ContactQuery {
  search?: string;
  tag?: string;
  limit?: number;
  offset?: number;
}

export interface TaskInput {
  title: string;
  record_id?: string | null;
  contact_id?: string | null;
  assignee_id?: string | null;
  due_date?: string | null;
  notes?: string | null;
}

export interface TaskPatch {
  title?: string;
  due_date?: string | null;
  notes?: string | null;
  assignee_id?: string | null;
  completed?: boolean;
}

export interface TaskQuery {
  record_id?: string;
  contact_id?: string;
  completed?: boolean;
  /** YYYY-MM-DD: open tasks due before this day. */
  overdueOn?: string;
  limit?: number;
  offset?: number;
}

export interface LinkQuery {
  record_id?: string;
  contact_id?: string;
}

/** Every CRM table, parents before children so a copy can be filled in this order. */
export const CRM_TABLES: readonly string[] = [
  'crm_meta',
  'object_types',
  'pipelines',
  'stages',
  'companies',
  'contacts',
  'contact_tags',
  'records',
  'tasks',
  'notes',
  'activities',
  'form_submissions',
];

const PRIMARY_KEYS: Record<string, string> = { crm_meta: 'key', contact_tags: 'contact_id, tag' };

// ---------------------------------------------------------------------------------------------
// Raw rows and SQL
// ---------------------------------------------------------------------------------------------

type SchemaCache = { token: string; types: ObjectType[]; pipelines: Pipeline[]; stageNames: Map<string, string> };
type RawRecord = Omit<RecordRow, 'data'> & { data: string };
type PlainRecord = Omit<RawRecord, 'object_type' | 'pipeline' | 'stage'>;
type RawContact = Omit<ContactRow, 'data' | 'tags' | 'name'> & { data: string; tags: string };
type PlainContact = Omit<RawContact, 'tags'>;
type RawCompany = Omit<CompanyRow, 'data'> & { data: string };
type RawTask = Omit<TaskRow, 'completed'> & { completed: number };
type RawActivity = Omit<ActivityRow, 'data'> & { data: string };
type RawForm = Omit<FormSubmissionRow, 'fields'> & { fields: string };

const RECORD_SELECT = `
  SELECT r.id, r.title, r.object_type_id, ot.slug AS object_type, r.pipeline_id, p.name AS pipeline,
         r.stage_id, s.name AS stage, r.assignee_id, r.data, r.created_at, r.updated_at
  FROM records r
  JOIN object_types ot ON ot.id = r.object_type_id
  LEFT JOIN pipelines p ON p.id = r.pipeline_id
  LEFT JOIN stages s ON s.id = r.stage_id`;

const CONTACT_SELECT = `
  SELECT c.id, c.email, c.first_name, c.last_name, c.phone, c.company_id, c.data, c.created_at, c.updated_at,
         (SELECT json_group_array(tag) FROM contact_tags t WHERE t.contact_id = c.id) AS tags
  FROM contacts c`;

const CONTACT_COLUMNS = 'id, email, first_name, last_name, phone, company_id, data, created_at, updated_at';

const TASK_COLUMNS = 'id, title, record_id, contact_id, assignee_id, due_date, notes, completed, completed_at, created_at, updated_at';

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

/**
 * The local CRM. Every public write runs in one transaction that also carries its change
 * notifications and events, so a caller recording events on the same connection commits
 * them atomically with the change.
 */
export class CrmStore {
  readonly db: Db;
  private readonly now: () => Date;
  private readonly onEvent?: CrmStoreOptions['onEvent'];
  private readonly onChange?: CrmStoreOptions['onChange'];
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();
  private readonly runInTransaction: (fn: () => unknown) => unknown;
  private cause: ChangeCause | undefined;
  private cachedWorkspaceId: string | undefined;
  private schemaCache: SchemaCache | undefined;

  constructor(db: Db, options: CrmStoreOptions = {}) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
    this.onEvent = options.onEvent;
    this.onChange = options.onChange;
    // One wrapper for all transactions: db.transaction() is costly to build on a hot path.
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
    // Settled now, outside any transaction, so every later event reads it from memory.
    if (!db.readonly && !db.inTransaction) this.workspaceId();
  }

  // ----- plumbing -------------------------------------------------------------------------

  workspaceId(): string {
    if (this.cachedWorkspaceId) return this.cachedWorkspaceId;
    const read = () => this.stmt(`SELECT value FROM crm_meta WHERE key = 'workspace_id'`).pluck().get() as string | undefined;
    let id = read();
    if (!id) {
      this.stmt(`INSERT OR IGNORE INTO crm_meta (key, value) VALUES ('workspace_id', ?)`).run(newId());
      id = read() as string;
    }
    // Inside a transaction the row may be uncommitted and still roll back: cache committed ids only.
    if (!this.db.inTransaction) this.cachedWorkspaceId = id;
    return id;
  }

  isEmpty(): boolean {
    return this.stmt('SELECT 1 FROM object_types LIMIT 1').get() === undefined;
  }

  withCause<T>(cause: ChangeCause | undefined, fn: () => T): T {
    const previous = this.cause;
    this.cause = cause;
    try {
      return fn();
    } finally {
      this.cause = previous;
    }
  }

  /** Nestable: better-sqlite3 turns inner transactions into savepoints. */
  transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T;
  }

  /** Every CRM table's rows ordered by primary key, for "nothing changed" comparisons. */
  dump(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const table of CRM_TABLES) {
      out[table] = this.stmt(`SELECT * FROM ${table} ORDER BY ${PRIMARY_KEYS[table] ?? 'id'}`).all();
    }
    return out;
  }

  private stmt(sql: string): Database.Statement<unknown[], unknown> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private stamp(): string {
    return isoTime(this.now());
  }

  private emit(event: string, data: Json, timestamp: string): void {
    this.onEvent?.({ event, workspace_id: this.workspaceId(), timestamp, data }, this.cause);
  }

  private changed(entity: CrmEntity, id: string, op: CrmChange['op'], before: Json | null, after: Json | null): void {
    this.onChange?.({ entity, id, op, before, after });
  }

  // ----- schema ---------------------------------------------------------------------------
  //
  // Types and pipelines are read on every record write, so they are cached in memory. The cache
  // is keyed by a random token in crm_meta that every schema write replaces: a rollback brings
  // the old token back, and writes through another store on this connection change it, so a
  // stale cache is never used (one primary-key read per lookup instead of several scans).

  listObjectTypes(): ObjectType[] {
    return this.schema().types.map((t) => ({ ...t }));
  }

  getObjectType(ref: string): ObjectType | undefined {
    const type = this.findObjectType(ref);
    return type && { ...type };
  }

  createObjectType(input: { name: string; slug?: string; icon?: string }): ObjectType {
    return this.transaction(() => {
      const name = requireText(input.name, 'name', 'Object type name');
      const slug = makeSlug(input.slug ?? name, 'slug');
      const clash = this.findObjectType(slug) ?? this.findObjectType(name);
      if (clash) throw new CrmError(`An object type named "${clash.name}" (slug "${clash.slug}") already exists.`, 'name');
      const types = this.schema().types;
      const position = types.length === 0 ? 0 : Math.max(...types.map((t) => t.position)) + 1;
      const row: ObjectType = { id: newId(), name, slug, icon: optionalText(input.icon, 'icon') ?? null, position };
      this.stmt('INSERT INTO object_types (id, name, slug, icon, position) VALUES (@id, @name, @slug, @icon, @position)').run(row);
      this.touchSchema();
      this.changed('object_type', row.id, 'create', null, row);
      return row;
    });
  }

  listPipelines(): Pipeline[] {
    return this.schema().pipelines.map(copyPipeline);
  }

  getPipeline(ref: string): Pipeline | undefined {
    const pipeline = this.findPipeline(ref);
    return pipeline && copyPipeline(pipeline);
  }

  createPipeline(input: { name: string; slug?: string; stages: string[] }): Pipeline {
    return this.transaction(() => {
      const name = requireText(input.name, 'name', 'Pipeline name');
      const slug = makeSlug(input.slug ?? name, 'slug');
      const clash = this.findPipeline(slug) ?? this.findPipeline(name);
      if (clash) throw new CrmError(`A pipeline named "${clash.name}" (slug "${clash.slug}") already exists.`, 'name');
      if (!Array.isArray(input.stages) || input.stages.length === 0) {
        throw new CrmError(`Pipeline "${name}" needs at least one stage.`, 'stages');
      }
      const pipeline: Pipeline = { id: newId(), name, slug, stages: [] };
      this.stmt('INSERT INTO pipelines (id, name, slug) VALUES (?, ?, ?)').run(pipeline.id, name, slug);
      for (const stageName of input.stages) pipeline.stages.push(this.insertStage(pipeline, stageName));
      this.touchSchema();
      this.changed('pipeline', pipeline.id, 'create', null, copyPipeline(pipeline));
      return pipeline;
    });
  }

  addStage(pipelineRef: string, name: string): Stage {
    return this.transaction(() => {
      const before = copyPipeline(this.requirePipeline(pipelineRef));
      const stage = this.insertStage(before, name);
      this.touchSchema();
      this.changed('pipeline', before.id, 'update', before, { ...before, stages: [...before.stages, { ...stage }] });
      return stage;
    });
  }

  /**
   * Finds a stage by id, slug or name. Without a pipeline the name must be unique across
   * pipelines; errors list the valid choices so an operator can fix the reference.
   */
  resolveStage(stageRef: string, pipelineRef?: string): Stage & { pipeline: Pipeline } {
    const found = this.findStage(stageRef, pipelineRef);
    return { ...found, pipeline: copyPipeline(found.pipeline) };
  }

  private schema(): SchemaCache {
    const token = (this.stmt(`SELECT value FROM crm_meta WHERE key = 'schema_token'`).pluck().get() as string | undefined) ?? '';
    if (this.schemaCache?.token !== token) this.schemaCache = this.loadSchema(token);
    return this.schemaCache;
  }

  private loadSchema(token: string): SchemaCache {
    const types = this.stmt('SELECT id, name, slug, icon, position FROM object_types ORDER BY position, name').all() as ObjectType[];
    const rows = this.stmt('SELECT id, name, slug FROM pipelines ORDER BY rowid').all() as Omit<Pipeline, 'stages'>[];
    const stages = this.stmt('SELECT id, pipeline_id, name, slug, position FROM stages ORDER BY position').all() as Stage[];
    const pipelines = rows.map((p) => ({ ...p, stages: stages.filter((s) => s.pipeline_id === p.id) }));
    return { token, types, pipelines, stageNames: new Map(stages.map((s) => [s.id, s.name])) };
  }

  private touchSchema(): void {
    this.stmt(`INSERT INTO crm_meta (key, value) VALUES ('schema_token', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
      newId(),
    );
  }

  /** Cached object; callers inside this class must not mutate it. */
  private findObjectType(ref: string): ObjectType | undefined {
    return findByRef(this.schema().types, ref);
  }

  /** Cached object; callers inside this class must not mutate it. */
  private findPipeline(ref: string): Pipeline | undefined {
    return findByRef(this.schema().pipelines, ref);
  }

  /** Cached objects; see resolveStage. */
  private findStage(stageRef: string, pipelineRef?: string): Stage & { pipeline: Pipeline } {
    const ref = requireText(stageRef, 'stage', 'Stage');
    const pipeline = pipelineRef === undefined ? undefined : this.requirePipeline(pipelineRef);
    const byId = this.stageById(ref);
    if (byId) {
      if (pipeline && byId.pipeline.id !== pipeline.id) {
        throw new CrmError(`Stage "${byId.name}" belongs to pipeline "${byId.pipeline.name}", not "${pipeline.name}".`, 'stage');
      }
      return byId;
    }
    if (pipeline) {
      const stage = pipeline.stages.find(stageMatcher(ref));
      if (stage) return placed(stage, pipeline);
      throw new CrmError(`Stage "${ref}" does not exist in pipeline "${pipeline.name}". Stages: ${names(pipeline.stages)}.`, 'stage');
    }
    return this.findStageAnywhere(ref);
  }

  private stageById(id: string): (Stage & { pipeline: Pipeline }) | undefined {
    for (const pipeline of this.schema().pipelines) {
      const stage = pipeline.stages.find((s) => s.id === id);
      if (stage) return placed(stage, pipeline);
    }
    return undefined;
  }

  private findStageAnywhere(ref: string): Stage & { pipeline: Pipeline } {
    const pipelines = this.schema().pipelines;
    const matches = pipelines.flatMap((p) => p.stages.filter(stageMatcher(ref)).map((s) => placed(s, p)));
    const [only] = matches;
    if (only && matches.length === 1) return only;
    if (matches.length > 1) {
      const where = matches.map((m) => `"${m.pipeline.name}"`).join(', ');
      throw new CrmError(`Stage "${ref}" exists in several pipelines (${where}); choose the pipeline too.`, 'pipeline');
    }
    if (pipelines.length === 0) throw new CrmError(`Stage "${ref}" does not exist: there are no pipelines yet.`, 'stage');
    const options = pipelines.map((p) => `${p.name}: ${names(p.stages)}`).join('; ');
    throw new CrmError(`Stage "${ref}" does not exist. Stages by pipeline: ${options}.`, 'stage');
  }

  private insertStage(pipeline: Pipeline, stageName: string): Stage {
    const name = requireText(stageName, 'stages', 'Stage name');
    const slug = makeSlug(name, 'stages');
    if (pipeline.stages.some((s) => s.slug === slug)) {
      throw new CrmError(`Pipeline "${pipeline.name}" already has a stage "${name}".`, 'stages');
    }
    const positions = pipeline.stages.map((s) => s.position);
    const position = positions.length === 0 ? 0 : Math.max(...positions) + 1;
    const stage: Stage = { id: newId(), pipeline_id: pipeline.id, name, slug, position };
    this.stmt('INSERT INTO stages (id, pipeline_id, name, slug, position) VALUES (@id, @pipeline_id, @name, @slug, @position)').run(stage);
    return stage;
  }

  private requireObjectType(ref: unknown): ObjectType {
    const text = requireText(ref, 'type', 'Object type');
    const type = this.findObjectType(text);
    if (type) return type;
    const all = this.schema().types;
    const options = all.length ? `Object types: ${names(all)}.` : 'There are no object types yet.';
    throw new CrmError(`Object type "${text}" does not exist. ${options}`, 'type');
  }

  private requirePipeline(ref: unknown): Pipeline {
    const text = requireText(ref, 'pipeline', 'Pipeline');
    const pipeline = this.findPipeline(text);
    if (pipeline) return pipeline;
    const all = this.schema().pipelines;
    const options = all.length ? `Pipelines: ${names(all)}.` : 'There are no pipelines yet.';
    throw new CrmError(`Pipeline "${text}" does not exist. ${options}`, 'pipeline');
  }

  // ----- records --------------------------------------------------------------------------

  createRecord(input: RecordInput): RecordRow {
    return this.transaction(() => {
      const type = this.requireObjectType(input.type);
      const placement = this.placementFor(input.pipeline, input.stage);
      const now = this.stamp();
      const dataText = JSON.stringify(plainObject(input.data ?? {}, 'data'));
      // Built here rather than read back: the schema cache already has the joined names.
      const after: RecordRow = {
        id: newId(),
        title: recordTitle(input.title),
        object_type_id: type.id,
        object_type: type.slug,
        pipeline_id: placement?.pipeline.id ?? null,
        pipeline: placement?.pipeline.name ?? null,
        stage_id: placement?.id ?? null,
        stage: placement?.name ?? null,
        assignee_id: optionalText(input.assignee_id, 'assignee_id') ?? null,
        data: parseJson(dataText),
        created_at: now,
        updated_at: now,
      };
      this.stmt(
        `INSERT INTO records (id, object_type_id, title, pipeline_id, stage_id, assignee_id, data, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(after.id, after.object_type_id, after.title, after.pipeline_id, after.stage_id, after.assignee_id, dataText, now, now);
      this.changed('record', after.id, 'create', null, after);
      this.emit('record.created', after, now);
      if (after.stage_id) this.emit('pipeline.stage_changed', stageChange(after, null), now);
      return after;
    });
  }

  getRecord(id: string): RecordRow | undefined {
    const raw = this.readRecord(id);
    return raw && this.toRecord(raw);
  }

  /** The row alone (one primary-key read); the type, pipeline and stage names come from the schema cache. */
  private readRecord(id: string): PlainRecord | undefined {
    return this.stmt(
      `SELECT id, title, object_type_id, pipeline_id, stage_id, assignee_id, data, created_at, updated_at
       FROM records WHERE id = ? AND deleted_at IS NULL`,
    ).get(id) as PlainRecord | undefined;
  }

  /** Same shape and names as RECORD_SELECT's joins (a record of a missing type is not found, like the inner join). */
  private toRecord(raw: PlainRecord): RecordRow | undefined {
    const schema = this.schema();
    const type = schema.types.find((t) => t.id === raw.object_type_id);
    if (!type) return undefined;
    const pipeline = raw.pipeline_id === null ? undefined : schema.pipelines.find((p) => p.id === raw.pipeline_id);
    const stage = raw.stage_id === null ? undefined : schema.stageNames.get(raw.stage_id);
    return {
      id: raw.id,
      title: raw.title,
      object_type_id: raw.object_type_id,
      object_type: type.slug,
      pipeline_id: raw.pipeline_id,
      pipeline: pipeline?.name ?? null,
      stage_id: raw.stage_id,
      stage: stage ?? null,
      assignee_id: raw.assignee_id,
      data: parseJson(raw.data),
      created_at: raw.created_at,
      updated_at: raw.updated_at,
    };
  }

  updateRecord(id: string, patch: RecordPatch): RecordRow {
    return this.transaction(() => {
      const raw = typeof id === 'string' ? this.readRecord(id) : undefined;
      const before = raw && this.toRecord(raw);
      if (!raw || !before) throw new CrmError(`Record "${String(id)}" does not exist (it may have been deleted).`, 'record_id');
      const stage = this.movePlacement(before, patch.pipeline, patch.stage);
      const title = patch.title === undefined ? before.title : recordTitle(patch.title);
      const data = nextData(before.data, patch.data, patch.dataMode);
      const assignee = patch.assignee_id === undefined ? before.assignee_id : (optionalText(patch.assignee_id, 'assignee_id') ?? null);
      const stageId = stage ? stage.id : before.stage_id;
      const dataSame = patch.data === undefined || sameJson(data, before.data);
      const unchanged = title === before.title && assignee === before.assignee_id && stageId === before.stage_id && dataSame;
      if (unchanged) return before;

      // Unchanged data is not re-encoded, and after.data is its own copy either way.
      const dataText = patch.data === undefined ? raw.data : JSON.stringify(data);
      const after: RecordRow = {
        id: before.id,
        title,
        object_type_id: before.object_type_id,
        object_type: before.object_type,
        pipeline_id: stage ? stage.pipeline.id : before.pipeline_id,
        pipeline: stage ? stage.pipeline.name : before.pipeline,
        stage_id: stage ? stage.id : before.stage_id,
        stage: stage ? stage.name : before.stage,
        assignee_id: assignee,
        data: parseJson(dataText),
        created_at: before.created_at,
        updated_at: this.stamp(),
      };
      const now = after.updated_at;
      if (title === before.title && assignee === before.assignee_id && patch.data === undefined) {
        // A move (the commonest update) writes just the placement: fewer columns bound and index pages written.
        if (after.pipeline_id === before.pipeline_id) {
          this.stmt('UPDATE records SET stage_id = ?, updated_at = ? WHERE id = ?').run(after.stage_id, now, after.id);
        } else {
          this.stmt('UPDATE records SET pipeline_id = ?, stage_id = ?, updated_at = ? WHERE id = ?').run(
            after.pipeline_id,
            after.stage_id,
            now,
            after.id,
          );
        }
      } else {
        this.stmt(
          'UPDATE records SET title = ?, data = ?, assignee_id = ?, pipeline_id = ?, stage_id = ?, updated_at = ? WHERE id = ?',
        ).run(title, dataText, assignee, after.pipeline_id, after.stage_id, now, after.id);
      }
      this.changed('record', before.id, 'update', before, after);
      this.emit('record.updated', after, now);
      if (after.stage_id !== before.stage_id) this.emit('pipeline.stage_changed', stageChange(after, before), now);
      return after;
    });
  }

  moveStage(id: string, stage: string, pipeline?: string): RecordRow {
    return this.updateRecord(id, { stage, pipeline });
  }

  deleteRecord(id: string): { deleted: true; id: string } {
    return this.transaction(() => {
      const before = this.requireRecord(id);
      const now = this.stamp();
      this.stmt('UPDATE records SET deleted_at = ?, updated_at = ? WHERE id = ?').run(now, now, before.id);
      this.changed('record', before.id, 'delete', before, null);
      this.emit('record.deleted', before, now);
      return { deleted: true, id: before.id };
    });
  }

  findRecords(query: RecordQuery = {}): RecordRow[] {
    const { where, params } = this.recordFilter(query);
    const page = pageParams(query);
    const raws = this.stmt(`${RECORD_SELECT} WHERE ${where} ORDER BY r.created_at, r.id LIMIT ? OFFSET ?`).all(
      ...params,
      ...page,
    ) as RawRecord[];
    return raws.map((raw) => ({ ...raw, data: parseJson(raw.data) }));
  }

  countRecords(query: RecordCountQuery = {}): number {
    const { where, params } = this.recordFilter(query);
    return this.stmt(`SELECT COUNT(*) FROM records r WHERE ${where}`)
      .pluck()
      .get(...params) as number;
  }

  /** Builds the WHERE clause from the filters present; each shape is prepared once via stmt(). */
  private recordFilter(query: RecordCountQuery): { where: string; params: unknown[] } {
    const clauses = ['r.deleted_at IS NULL'];
    const params: unknown[] = [];
    if (query.type !== undefined) {
      clauses.push('r.object_type_id = ?');
      params.push(this.requireObjectType(query.type).id);
    }
    if (query.stage !== undefined) {
      clauses.push('r.stage_id = ?');
      params.push(this.findStage(query.stage, query.pipeline).id);
    } else if (query.pipeline !== undefined) {
      clauses.push('r.pipeline_id = ?');
      params.push(this.requirePipeline(query.pipeline).id);
    }
    if (query.search !== undefined && query.search.trim() !== '') {
      clauses.push('instr(lower(r.title), ?) > 0');
      params.push(query.search.trim().toLowerCase());
    }
    return { where: clauses.join(' AND '), params };
  }

  private requireRecord(id: unknown): RecordRow {
    const record = typeof id === 'string' ? this.getRecord(id) : undefined;
    if (!record) throw new CrmError(`Record "${String(id)}" does not exist (it may have been deleted).`, 'record_id');
    return record;
  }

  /** Where a new record goes: a stage (pipeline optional), a pipeline's first stage, or nowhere. */
  private placementFor(pipelineRef?: string, stageRef?: string): (Stage & { pipeline: Pipeline }) | undefined {
    if (stageRef !== undefined) return this.findStage(stageRef, pipelineRef);
    if (pipelineRef === undefined) return undefined;
    const pipeline = this.requirePipeline(pipelineRef);
    const first = pipeline.stages[0];
    if (!first) throw new CrmError(`Pipeline "${pipeline.name}" has no stages yet.`, 'pipeline');
    return placed(first, pipeline);
  }

  /**
   * Where an existing record moves. A stage name without a pipeline is looked up in the
   * record's current pipeline (ids work anywhere); a new pipeline alone means its first stage.
   */
  private movePlacement(record: RecordRow, pipelineRef?: string, stageRef?: string): (Stage & { pipeline: Pipeline }) | undefined {
    if (stageRef === undefined && pipelineRef === undefined) return undefined;
    if (stageRef !== undefined && pipelineRef === undefined && record.pipeline_id) {
      return this.stageById(stageRef) ?? this.findStage(stageRef, record.pipeline_id);
    }
    if (stageRef === undefined && pipelineRef !== undefined) {
      const pipeline = this.requirePipeline(pipelineRef);
      if (pipeline.id === record.pipeline_id) return undefined;
    }
    return this.placementFor(pipelineRef, stageRef);
  }

  // ----- contacts & companies -------------------------------------------------------------

  createContact(input: ContactInput): ContactRow {
    return this.transaction(() => this.insertContact(input));
  }

  upsertContact(input: ContactInput): { contact: ContactRow; created: boolean } {
    return this.transaction(() => {
      const email = contactEmail(input.email);
      const existing = email ? this.findContactByEmail(email) : undefined;
      if (!existing) return { contact: this.insertContact(input), created: true };
      return { contact: this.patchContact(existing, input), created: false };
    });
  }

  updateContact(id: string, patch: Partial<ContactInput>): ContactRow {
    return this.transaction(() => this.patchContact(this.requireContact(id), patch));
  }

  getContact(id: string): ContactRow | undefined {
    const raw = this.stmt(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ?`).get(id) as PlainContact | undefined;
    return raw && this.withTags(raw);
  }

  findContactByEmail(email: string): ContactRow | undefined {
    const normalized = contactEmail(email);
    if (!normalized) return undefined;
    const raw = this.stmt(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE email = ?`).get(normalized) as PlainContact | undefined;
    return raw && this.withTags(raw);
  }

  /** Every tag in use, for pickers (the tag column is case-insensitive, so one spelling each). */
  listTags(): string[] {
    return (this.stmt('SELECT DISTINCT tag FROM contact_tags ORDER BY tag').pluck().all() as string[]).sort((a, b) => a.localeCompare(b));
  }

  listContacts(query: ContactQuery = {}): ContactRow[] {
    const clauses = ['1 = 1'];
    const params: unknown[] = [];
    if (query.search !== undefined && query.search.trim() !== '') {
      clauses.push(
        `instr(lower(COALESCE(c.email, '') || ' ' || COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '') || ' ' || COALESCE(c.phone, '')), ?) > 0`,
      );
      params.push(query.search.trim().toLowerCase());
    }
    if (query.tag !== undefined) {
      clauses.push('EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = ?)');
      params.push(query.tag.trim());
    }
    const raws = this.stmt(`${CONTACT_SELECT} WHERE ${clauses.join(' AND ')} ORDER BY c.created_at, c.id LIMIT ? OFFSET ?`).all(
      ...params,
      ...pageParams(query),
    ) as RawContact[];
    return raws.map(toContact);
  }

  tagContact(id: string, tags: string[]): ContactRow {
    return this.transaction(() => this.patchContact(this.requireContact(id), { tags }));
  }

  untagContact(id: string, tags: string[]): ContactRow {
    return this.transaction(() => {
      const before = this.requireContact(id);
      let removed = 0;
      for (const tag of cleanTags(tags)) {
        removed += this.stmt('DELETE FROM contact_tags WHERE contact_id = ? AND tag = ?').run(before.id, tag).changes;
      }
      if (removed === 0) return before;
      const now = this.stamp();
      this.stmt('UPDATE contacts SET updated_at = ? WHERE id = ?').run(now, before.id);
      const after = this.getContact(before.id) as ContactRow;
      this.changed('contact', before.id, 'update', before, after);
      this.emit('contact.updated', after, now);
      return after;
    });
  }

  createCompany(input: { name: string; domain?: string; data?: Record<string, unknown> }): CompanyRow {
    return this.transaction(() => {
      const now = this.stamp();
      const row: CompanyRow = {
        id: newId(),
        name: requireText(input.name, 'name', 'Company name'),
        domain: optionalText(input.domain, 'domain')?.toLowerCase() ?? null,
        data: plainObject(input.data ?? {}, 'data'),
        created_at: now,
        updated_at: now,
      };
      this.stmt(
        'INSERT INTO companies (id, name, domain, data, created_at, updated_at) VALUES (@id, @name, @domain, @data, @created_at, @updated_at)',
      ).run({ ...row, data: JSON.stringify(row.data) });
      this.changed('company', row.id, 'create', null, row);
      return row;
    });
  }

  getCompany(id: string): CompanyRow | undefined {
    const raw = this.stmt('SELECT * FROM companies WHERE id = ?').get(id) as RawCompany | undefined;
    return raw && { ...raw, data: parseJson(raw.data) };
  }

  listCompanies(): CompanyRow[] {
    const raws = this.stmt('SELECT * FROM companies ORDER BY name COLLATE NOCASE, id').all() as RawCompany[];
    return raws.map((raw) => ({ ...raw, data: parseJson(raw.data) }));
  }

  /** One contact's tags by primary key: cheaper than CONTACT_SELECT's aggregate for a single row. */
  private withTags(raw: PlainContact): ContactRow {
    return contactRow(raw, this.stmt('SELECT tag FROM contact_tags WHERE contact_id = ?').pluck().all(raw.id) as string[]);
  }

  private requireContact(id: unknown): ContactRow {
    const contact = typeof id === 'string' ? this.getContact(id) : undefined;
    if (!contact) throw new CrmError(`Contact "${String(id)}" does not exist.`, 'contact_id');
    return contact;
  }

  private requireCompanyId(id: unknown): string | null {
    const companyId = optionalText(id, 'company_id') ?? null;
    if (companyId !== null && !this.getCompany(companyId)) {
      throw new CrmError(`Company "${companyId}" does not exist.`, 'company_id');
    }
    return companyId;
  }

  private insertContact(input: ContactInput): ContactRow {
    const email = contactEmail(input.email);
    if (email && this.stmt('SELECT 1 FROM contacts WHERE email = ?').get(email)) {
      throw new CrmError(`A contact with email "${email}" already exists.`, 'email');
    }
    const now = this.stamp();
    const raw: PlainContact = {
      id: newId(),
      email,
      first_name: optionalText(input.first_name, 'first_name') ?? null,
      last_name: optionalText(input.last_name, 'last_name') ?? null,
      phone: optionalText(input.phone, 'phone') ?? null,
      company_id: this.requireCompanyId(input.company_id),
      data: JSON.stringify(plainObject(input.data ?? {}, 'data')),
      created_at: now,
      updated_at: now,
    };
    const id = raw.id;
    this.stmt(
      `INSERT INTO contacts (id, email, first_name, last_name, phone, company_id, data, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, email, raw.first_name, raw.last_name, raw.phone, raw.company_id, raw.data, now, now);
    const added = this.insertTags(id, input.tags, now);
    // Built from what was written rather than read back (a new contact has exactly the tags just added).
    const after = contactRow(raw, added.slice());
    this.changed('contact', id, 'create', null, after);
    this.emit('contact.created', after, now);
    for (const tag of added) this.emit('contact.tagged', taggedContact(after, tag), now);
    return after;
  }

  /** Applies the given fields (data merged shallow, tags added); nothing differs -> no write, no event. */
  private patchContact(before: ContactRow, patch: Partial<ContactInput>): ContactRow {
    const next = {
      email: patch.email === undefined ? before.email : contactEmail(patch.email),
      first_name: patch.first_name === undefined ? before.first_name : (optionalText(patch.first_name, 'first_name') ?? null),
      last_name: patch.last_name === undefined ? before.last_name : (optionalText(patch.last_name, 'last_name') ?? null),
      phone: patch.phone === undefined ? before.phone : (optionalText(patch.phone, 'phone') ?? null),
      company_id: patch.company_id === undefined ? before.company_id : this.requireCompanyId(patch.company_id),
      data: patch.data === undefined ? before.data : { ...before.data, ...plainObject(patch.data, 'data') },
    };
    const fieldsChanged =
      next.email !== before.email ||
      next.first_name !== before.first_name ||
      next.last_name !== before.last_name ||
      next.phone !== before.phone ||
      next.company_id !== before.company_id ||
      !sameJson(next.data, before.data);
    const present = new Set(before.tags.map((t) => t.toLowerCase()));
    const newTags = cleanTags(patch.tags ?? []).filter((t) => !present.has(t.toLowerCase()));
    if (!fieldsChanged && newTags.length === 0) return before;

    if (next.email && next.email !== before.email) {
      const owner = this.findContactByEmail(next.email);
      if (owner) throw new CrmError(`Another contact already uses the email "${next.email}".`, 'email');
    }
    const now = this.stamp();
    if (fieldsChanged) {
      this.stmt(
        'UPDATE contacts SET email = ?, first_name = ?, last_name = ?, phone = ?, company_id = ?, data = ?, updated_at = ? WHERE id = ?',
      ).run(next.email, next.first_name, next.last_name, next.phone, next.company_id, JSON.stringify(next.data), now, before.id);
    } else {
      // Tagging alone (the commonest patch) only touches the timestamp.
      this.stmt('UPDATE contacts SET updated_at = ? WHERE id = ?').run(now, before.id);
    }
    const added = this.insertTags(before.id, newTags, now);
    // Built from what was written rather than read back: this is on every tagging run's path.
    const after: ContactRow = {
      id: before.id,
      email: next.email,
      first_name: next.first_name,
      last_name: next.last_name,
      name: [next.first_name, next.last_name].filter(Boolean).join(' '),
      phone: next.phone,
      company_id: next.company_id,
      data: next.data,
      tags: [...before.tags, ...added].sort(),
      created_at: before.created_at,
      updated_at: now,
    };
    this.changed('contact', before.id, 'update', before, after);
    if (fieldsChanged) this.emit('contact.updated', after, now);
    for (const tag of added) this.emit('contact.tagged', taggedContact(after, tag), now);
    return after;
  }

  /** Returns the tags actually added (already-present ones, in any letter case, are skipped). */
  private insertTags(contactId: string, tags: string[] | undefined, now: string): string[] {
    const added: string[] = [];
    for (const tag of cleanTags(tags ?? [])) {
      const result = this.stmt('INSERT OR IGNORE INTO contact_tags (contact_id, tag, created_at) VALUES (?, ?, ?)').run(
        contactId,
        tag,
        now,
      );
      if (result.changes > 0) added.push(tag);
    }
    return added;
  }

  // ----- tasks ----------------------------------------------------------------------------

  createTask(input: TaskInput): TaskRow {
    return this.transaction(() => {
      const now = this.stamp();
      const row: TaskRow = {
        id: newId(),
        title: requireText(input.title, 'title', 'Task title'),
        record_id: this.linkedRecordId(input.record_id),
        contact_id: this.linkedContactId(input.contact_id),
        assignee_id: optionalText(input.assignee_id, 'assignee_id') ?? null,
        due_date: dueDate(input.due_date),
        notes: optionalText(input.notes, 'notes') ?? null,
        completed: false,
        completed_at: null,
        created_at: now,
        updated_at: now,
      };
      this.stmt(`INSERT INTO tasks (${TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)`).run(
        row.id,
        row.title,
        row.record_id,
        row.contact_id,
        row.assignee_id,
        row.due_date,
        row.notes,
        now,
        now,
      );
      this.changed('task', row.id, 'create', null, row);
      this.emit('task.created', row, now);
      return row;
    });
  }

  updateTask(id: string, patch: TaskPatch): TaskRow {
    return this.transaction(() => {
      const before = this.requireTask(id);
      const now = this.stamp();
      const completed = patch.completed === undefined ? before.completed : Boolean(patch.completed);
      const next: TaskRow = {
        ...before,
        title: patch.title === undefined ? before.title : requireText(patch.title, 'title', 'Task title'),
        due_date: patch.due_date === undefined ? before.due_date : dueDate(patch.due_date),
        notes: patch.notes === undefined ? before.notes : (optionalText(patch.notes, 'notes') ?? null),
        assignee_id: patch.assignee_id === undefined ? before.assignee_id : (optionalText(patch.assignee_id, 'assignee_id') ?? null),
        completed,
        completed_at: completed === before.completed ? before.completed_at : completed ? now : null,
      };
      if (sameJson(next, before)) return before;

      const after: TaskRow = { ...next, updated_at: now };
      this.stmt(
        `UPDATE tasks SET title = @title, due_date = @due_date, notes = @notes, assignee_id = @assignee_id,
         completed = @completed, completed_at = @completed_at, updated_at = @updated_at WHERE id = @id`,
      ).run({ ...after, completed: after.completed ? 1 : 0 });
      this.changed('task', after.id, 'update', before, after);
      this.emit('task.updated', after, now);
      if (after.completed && !before.completed) this.emit('task.completed', after, now);
      return after;
    });
  }

  completeTask(id: string): TaskRow {
    return this.updateTask(id, { completed: true });
  }

  deleteTask(id: string): { deleted: true; id: string } {
    return this.transaction(() => {
      const before = this.requireTask(id);
      const now = this.stamp();
      this.stmt('UPDATE tasks SET deleted_at = ?, updated_at = ? WHERE id = ?').run(now, now, before.id);
      this.changed('task', before.id, 'delete', before, null);
      this.emit('task.deleted', before, now);
      return { deleted: true, id: before.id };
    });
  }

  getTask(id: string): TaskRow | undefined {
    const raw = this.stmt(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ? AND deleted_at IS NULL`).get(id) as RawTask | undefined;
    return raw && toTask(raw);
  }

  /** Ordered by due date (undated last), then creation. */
  listTasks(query: TaskQuery = {}): TaskRow[] {
    const clauses = ['deleted_at IS NULL'];
    const params: unknown[] = [];
    if (query.record_id !== undefined) {
      clauses.push('record_id = ?');
      params.push(query.record_id);
    }
    if (query.contact_id !== undefined) {
      clauses.push('contact_id = ?');
      params.push(query.contact_id);
    }
    if (query.completed !== undefined) {
      clauses.push('completed = ?');
      params.push(query.completed ? 1 : 0);
    }
    if (query.overdueOn !== undefined) {
      // ISO strings compare in date order, and "2026-07-01T09:00" sorts after "2026-07-01".
      clauses.push('completed = 0 AND due_date IS NOT NULL AND due_date < ?');
      params.push(dayString(query.overdueOn));
    }
    const raws = this.stmt(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE ${clauses.join(' AND ')}
       ORDER BY due_date IS NULL, due_date, created_at, id LIMIT ? OFFSET ?`,
    ).all(...params, ...pageParams(query)) as RawTask[];
    return raws.map(toTask);
  }

  private requireTask(id: unknown): TaskRow {
    const task = typeof id === 'string' ? this.getTask(id) : undefined;
    if (!task) throw new CrmError(`Task "${String(id)}" does not exist (it may have been deleted).`, 'task_id');
    return task;
  }

  // Links only need the row to exist: one index lookup instead of reading and decoding it.
  private linkedRecordId(id: unknown): string | null {
    if (id === undefined || id === null || id === '') return null;
    const found = typeof id === 'string' && this.stmt('SELECT 1 FROM records WHERE id = ? AND deleted_at IS NULL').get(id);
    if (!found) throw new CrmError(`Record "${String(id)}" does not exist (it may have been deleted).`, 'record_id');
    return id as string;
  }

  private linkedContactId(id: unknown): string | null {
    if (id === undefined || id === null || id === '') return null;
    const found = typeof id === 'string' && this.stmt('SELECT 1 FROM contacts WHERE id = ?').get(id);
    if (!found) throw new CrmError(`Contact "${String(id)}" does not exist.`, 'contact_id');
    return id as string;
  }

  // ----- notes, activities, forms ---------------------------------------------------------

  addNote(input: { record_id?: string | null; contact_id?: string | null; body: string }): NoteRow {
    return this.transaction(() => {
      const row: NoteRow = {
        id: newId(),
        record_id: this.linkedRecordId(input.record_id),
        contact_id: this.linkedContactId(input.contact_id),
        body: requireText(input.body, 'body', 'Note text'),
        created_at: this.stamp(),
      };
      this.stmt(
        'INSERT INTO notes (id, record_id, contact_id, body, created_at) VALUES (@id, @record_id, @contact_id, @body, @created_at)',
      ).run(row);
      this.changed('note', row.id, 'create', null, row);
      return row;
    });
  }

  listNotes(query: LinkQuery = {}): NoteRow[] {
    const { where, params } = linkFilter(query);
    return this.stmt(`SELECT id, record_id, contact_id, body, created_at FROM notes WHERE ${where} ORDER BY created_at, id`).all(
      ...params,
    ) as NoteRow[];
  }

  logActivity(input: {
    record_id?: string | null;
    contact_id?: string | null;
    type: string;
    summary: string;
    data?: Record<string, unknown>;
  }): ActivityRow {
    return this.transaction(() => {
      const row: ActivityRow = {
        id: newId(),
        record_id: this.linkedRecordId(input.record_id),
        contact_id: this.linkedContactId(input.contact_id),
        type: requireText(input.type, 'type', 'Activity type'),
        summary: requireText(input.summary, 'summary', 'Activity summary'),
        data: plainObject(input.data ?? {}, 'data'),
        created_at: this.stamp(),
      };
      this.stmt(
        `INSERT INTO activities (id, record_id, contact_id, type, summary, data, created_at)
         VALUES (@id, @record_id, @contact_id, @type, @summary, @data, @created_at)`,
      ).run({ ...row, data: JSON.stringify(row.data) });
      this.changed('activity', row.id, 'create', null, row);
      return row;
    });
  }

  listActivities(query: LinkQuery = {}): ActivityRow[] {
    const { where, params } = linkFilter(query);
    const raws = this.stmt(
      `SELECT id, record_id, contact_id, type, summary, data, created_at FROM activities WHERE ${where} ORDER BY created_at, id`,
    ).all(...params) as RawActivity[];
    return raws.map((raw) => ({ ...raw, data: parseJson(raw.data) }));
  }

  submitForm(input: { form: string; fields: Record<string, unknown> }): FormSubmissionRow {
    return this.transaction(() => {
      const now = this.stamp();
      const row: FormSubmissionRow = {
        id: newId(),
        form: requireText(input.form, 'form', 'Form name'),
        fields: plainObject(input.fields ?? {}, 'fields'),
        created_at: now,
      };
      this.stmt('INSERT INTO form_submissions (id, form, fields, created_at) VALUES (@id, @form, @fields, @created_at)').run({
        ...row,
        fields: JSON.stringify(row.fields),
      });
      this.changed('form_submission', row.id, 'create', null, row);
      this.emit('form.submitted', row, now);
      return row;
    });
  }

  /** Raw form rows, newest last; mainly for tests and the UI's submissions list. */
  listFormSubmissions(form?: string): FormSubmissionRow[] {
    const raws = (
      form === undefined
        ? this.stmt('SELECT * FROM form_submissions ORDER BY created_at, id').all()
        : this.stmt('SELECT * FROM form_submissions WHERE form = ? ORDER BY created_at, id').all(form)
    ) as RawForm[];
    return raws.map((raw) => ({ ...raw, fields: parseJson(raw.fields) }));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers (pure)
// ---------------------------------------------------------------------------------------------

// Several rows are stamped within the same millisecond; Date#toISOString is comparatively slow.
let stampMs = Number.NaN;
let stampText = '';
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== stampMs) {
    stampText = date.toISOString();
    stampMs = ms;
  }
  return stampText;
}

/** Lowercase, accents dropped, anything else that isn't a letter or digit becomes '-'. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function makeSlug(text: string, field: string): string {
  const slug = slugify(text);
  if (!slug) throw new CrmError(`"${text}" needs at least one letter or digit to make a slug.`, field);
  return slug;
}

// Refs (stage and pipeline names in workflow params) repeat on every run: their slugs are kept.
const slugs = new Map<string, string>();
function slugOf(ref: string): string {
  let slug = slugs.get(ref);
  if (slug === undefined) {
    slug = slugify(ref);
    if (slugs.size >= 1000) slugs.clear();
    slugs.set(ref, slug);
  }
  return slug;
}

/** Finds by id, then exact slug, then name (case-insensitive) or the ref's slug form. */
function findByRef<T extends { id: string; name: string; slug: string }>(items: T[], ref: string): T | undefined {
  const trimmed = String(ref).trim();
  const lower = trimmed.toLowerCase();
  const slug = slugOf(trimmed);
  return (
    items.find((item) => item.id === trimmed) ??
    items.find((item) => item.slug === lower) ??
    items.find((item) => item.name.toLowerCase() === lower || item.slug === slug)
  );
}

function copyPipeline(pipeline: Pipeline): Pipeline {
  return { ...pipeline, stages: pipeline.stages.map((s) => ({ ...s })) };
}

/** A stage with its pipeline, built as one literal (spreading into a larger literal is slow in V8). */
function placed(stage: Stage, pipeline: Pipeline): Stage & { pipeline: Pipeline } {
  return { id: stage.id, pipeline_id: stage.pipeline_id, name: stage.name, slug: stage.slug, position: stage.position, pipeline };
}

function stageMatcher(ref: string): (stage: Stage) => boolean {
  const lower = ref.trim().toLowerCase();
  const slug = slugOf(ref);
  return (stage) => stage.slug === lower || stage.slug === slug || stage.name.toLowerCase() === lower;
}

function names(items: { name: string }[]): string {
  return items.map((item) => item.name).join(', ');
}

function stageChange(after: RecordRow, before: RecordRow | null): Json {
  const change: Json = Object.assign({}, after);
  change.from_stage_id = before?.stage_id ?? null;
  change.from_stage = before?.stage ?? null;
  change.to_stage_id = after.stage_id;
  change.to_stage = after.stage;
  return change;
}

/** The contact.tagged event's data: the contact and the tag. */
function taggedContact(contact: ContactRow, tag: string): Json {
  const data: Json = Object.assign({}, contact);
  data.tag = tag;
  return data;
}

function recordTitle(title: unknown): string {
  return optionalText(title, 'title') ?? 'Untitled';
}

function nextData(current: Json, data: Record<string, unknown> | undefined, mode: RecordPatch['dataMode']): Json {
  if (data === undefined) return current;
  const given = plainObject(data, 'data');
  return mode === 'replace' ? given : { ...current, ...given };
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `"${value}"` : `a ${typeof value}`;
}

function requireText(value: unknown, field: string, label: string): string {
  const text = optionalText(value, field);
  if (!text)
    throw new CrmError(`${label} is required${value === undefined || value === '' ? '' : `, got ${describeValue(value)}`}.`, field);
  return text;
}

/** Trimmed text; empty becomes null. Numbers are accepted because mapped template values often are. */
function optionalText(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') throw new CrmError(`${field} must be text, got ${describeValue(value)}.`, field);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function plainObject(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CrmError(`${field} must be a set of named fields (an object), got ${describeValue(value)}.`, field);
  }
  return value as Json;
}

function contactEmail(value: unknown): string | null {
  const email = optionalText(value, 'email')?.toLowerCase() ?? null;
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new CrmError(`Email "${email}" is not an email address (expected something like name@example.com).`, 'email');
  }
  return email;
}

function cleanTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new CrmError(`Tags must be a list of words, got ${describeValue(tags)}.`, 'tags');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    const text = optionalText(tag, 'tags');
    if (!text || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    out.push(text);
  }
  return out;
}

function dueDate(value: unknown): string | null {
  const text = optionalText(value, 'due_date');
  if (text === undefined || text === null) return null;
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  if (!iso.test(text) || Number.isNaN(Date.parse(text))) {
    throw new CrmError(`Due date "${text}" is not a date; expected YYYY-MM-DD, e.g. 2026-06-30.`, 'due_date');
  }
  return text;
}

function dayString(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new CrmError(`"${value}" is not a day; expected YYYY-MM-DD, e.g. 2026-06-30.`, 'overdueOn');
  }
  return value;
}

function pageParams(query: { limit?: number; offset?: number }): [number, number] {
  const limit = query.limit ?? -1;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < -1) throw new CrmError(`limit must be a whole number, got ${limit}.`, 'limit');
  if (!Number.isInteger(offset) || offset < 0) throw new CrmError(`offset must be a whole number, got ${offset}.`, 'offset');
  return [limit, offset];
}

function linkFilter(query: LinkQuery): { where: string; params: unknown[] } {
  const clauses = ['1 = 1'];
  const params: unknown[] = [];
  if (query.record_id !== undefined) {
    clauses.push('record_id = ?');
    params.push(query.record_id);
  }
  if (query.contact_id !== undefined) {
    clauses.push('contact_id = ?');
    params.push(query.contact_id);
  }
  return { where: clauses.join(' AND '), params };
}

function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

function toContact(raw: RawContact): ContactRow {
  return contactRow(raw, JSON.parse(raw.tags) as string[]);
}

function contactRow(raw: PlainContact, tags: string[]): ContactRow {
  tags.sort();
  const name = [raw.first_name, raw.last_name].filter(Boolean).join(' ');
  return {
    id: raw.id,
    email: raw.email,
    first_name: raw.first_name,
    last_name: raw.last_name,
    name,
    phone: raw.phone,
    company_id: raw.company_id,
    data: parseJson(raw.data),
    tags,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
  };
}

function toTask(raw: RawTask): TaskRow {
  return {
    id: raw.id,
    title: raw.title,
    record_id: raw.record_id,
    contact_id: raw.contact_id,
    assignee_id: raw.assignee_id,
    due_date: raw.due_date,
    notes: raw.notes,
    completed: raw.completed === 1,
    completed_at: raw.completed_at,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
  };
}

/** Structural equality for JSON values, ignoring key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  const bRecord = b as Json;
  const aRecord = a as Json;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && sameJson(aRecord[key], bRecord[key]));
}
