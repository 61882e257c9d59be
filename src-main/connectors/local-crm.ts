import { z } from 'zod';
import { ConditionError, evaluateGroup } from '../engine/conditions.ts';
import { ConditionGroup } from '../shared/conditions.ts';
import { CrmError, type CrmStore, type RecordRow as RecordRowType, type Stage, slugify } from '../store/crm.ts';
import { defineAction, defineConnector, defineTrigger, type TriggerEvent } from './define.ts';

/**
 * The local CRM store as an app: triggers fire on the store's own events, actions read and write
 * it. Writes are synchronous so the engine can commit each one with its journal row.
 */

// ---------------------------------------------------------------------------------------------
// Input helpers: params arrive rendered from templates, so values are often strings
// ---------------------------------------------------------------------------------------------

/** A template for a missing value renders '' (or null for a lone `{{ … }}`): both mean "not set". */
function absentIfBlank(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

/** Mapped ids and phone numbers often arrive as numbers where text is expected. */
function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : value;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

/** `z.coerce.boolean()` would read "false" as true. */
function asFlag(value: unknown): unknown {
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

/** A mapped object may arrive as JSON text when the template renders more than one `{{ … }}`. */
function asObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** "vip, customer" or ["vip", "customer"] → ["vip", "customer"]. */
function asTagList(value: unknown): unknown {
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items)) return items;
  return items
    .map((item) => asText(item))
    .map((item) => (typeof item === 'string' ? item.trim() : item))
    .filter((item) => item !== '');
}

/** The form shows an empty group until a row is added; an empty group means "no extra filter". */
function asConditions(value: unknown): unknown {
  const group = asObject(absentIfBlank(value));
  if (group && typeof group === 'object' && Array.isArray((group as { conditions?: unknown }).conditions)) {
    return (group as { conditions: unknown[] }).conditions.length === 0 ? undefined : group;
  }
  return group;
}

type Meta = { title: string; description: string; widget?: string; examples?: unknown[] };

function text(meta: Meta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z.string({ error: (issue) => (issue.input === undefined ? `${meta.title} is required.` : `${meta.title} must be text.`) }).trim(),
    )
    .meta(meta);
}

function optionalText(meta: Meta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z
        .string({ error: `${meta.title} must be text.` })
        .trim()
        .optional(),
    )
    .meta(meta);
}

function optionalFlag(meta: Meta) {
  return z.preprocess((v) => asFlag(absentIfBlank(v)), z.boolean({ error: `${meta.title} must be yes or no.` }).optional()).meta(meta);
}

const FieldsObject = z.record(z.string(), z.unknown(), { error: 'Enter named fields (a name and a value on each row).' });

function optionalFields(meta: Meta) {
  return z.preprocess((v) => asObject(absentIfBlank(v)), FieldsObject.optional()).meta({ widget: 'keyValue', ...meta });
}

function tagList(meta: Meta) {
  return z
    .preprocess(
      (v) => asTagList(absentIfBlank(v)),
      z
        .array(z.string(), {
          error: (issue) => (issue.input === undefined ? 'Add at least one tag.' : 'Tags must be words separated by commas.'),
        })
        .min(1, 'Add at least one tag.'),
    )
    .meta({ widget: 'tag', ...meta });
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

function optionalDate(meta: Meta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z
        .string()
        .trim()
        .refine((v) => DATE_LIKE.test(v) && !Number.isNaN(Date.parse(v)), {
          error: (issue) => `${meta.title} "${String(issue.input)}" is not a date; use YYYY-MM-DD, e.g. 2026-06-30.`,
        })
        .optional(),
    )
    .meta({ widget: 'date', ...meta });
}

// Reused input fields.
const recordIdField = text({
  title: 'Record',
  description: 'The record to use, usually picked from an earlier step (its ID).',
  widget: 'record',
});
const optionalRecordId = (description: string) => optionalText({ title: 'Record', description, widget: 'record' });
const optionalContactId = (description: string) => optionalText({ title: 'Contact', description, widget: 'contact' });
const taskIdField = text({ title: 'Task', description: 'The task to change, usually picked from an earlier step (its ID).' });
const contactIdField = text({
  title: 'Contact',
  description: 'The contact to change: its ID or its email address, usually picked from an earlier step.',
  widget: 'contact',
});

/** Operators often have the email at hand rather than the ID: accept either. */
function contactIdOf(crm: CrmStore, ref: string): string {
  if (!ref.includes('@')) return ref;
  const byEmail = crm.findContactByEmail(ref);
  if (byEmail) return byEmail.id;
  throw new CrmError(`There is no contact with the email "${ref}".`, 'contact_id');
}
const pipelineFilter = (description: string) => optionalText({ title: 'Pipeline', description, widget: 'pipeline' });
const stageFilter = (title: string, description: string) => optionalText({ title, description, widget: 'stage' });
const objectTypeFilter = optionalText({
  title: 'Object type',
  description: 'Only for records of this type, e.g. Lead. Leave empty for every type.',
  widget: 'objectType',
});
const tagFilter = (description: string) => optionalText({ title: 'Tag', description, widget: 'tag' });

// ---------------------------------------------------------------------------------------------
// Output schemas: what the data picker offers to later steps
// ---------------------------------------------------------------------------------------------

const Fields = z.record(z.string(), z.unknown());
const Timestamp = (title: string) => z.string().meta({ title, description: 'Date and time (ISO 8601, UTC).' });

const RecordRow = z.object({
  id: z.string().meta({ title: 'Record ID' }),
  title: z.string().meta({ title: 'Title' }),
  object_type_id: z.string().meta({ title: 'Object type ID' }),
  object_type: z.string().meta({ title: 'Object type', description: 'Short name of the type, e.g. lead.' }),
  pipeline_id: z.string().nullable().meta({ title: 'Pipeline ID' }),
  pipeline: z.string().nullable().meta({ title: 'Pipeline', description: 'Name of the pipeline, or empty.' }),
  stage_id: z.string().nullable().meta({ title: 'Stage ID' }),
  stage: z.string().nullable().meta({ title: 'Stage', description: 'Name of the stage, or empty.' }),
  assignee_id: z.string().nullable().meta({ title: 'Assigned to (ID)' }),
  data: Fields.meta({ title: 'Fields', description: "The record's own fields, e.g. phone, address, value." }),
  created_at: Timestamp('Created at'),
  updated_at: Timestamp('Updated at'),
});

const ContactRow = z.object({
  id: z.string().meta({ title: 'Contact ID' }),
  email: z.string().nullable().meta({ title: 'Email' }),
  first_name: z.string().nullable().meta({ title: 'First name' }),
  last_name: z.string().nullable().meta({ title: 'Last name' }),
  name: z.string().meta({ title: 'Full name' }),
  phone: z.string().nullable().meta({ title: 'Phone' }),
  company_id: z.string().nullable().meta({ title: 'Company ID' }),
  data: Fields.meta({ title: 'Fields', description: "The contact's own fields." }),
  tags: z.array(z.string()).meta({ title: 'Tags' }),
  created_at: Timestamp('Created at'),
  updated_at: Timestamp('Updated at'),
});

const TaskRow = z.object({
  id: z.string().meta({ title: 'Task ID' }),
  title: z.string().meta({ title: 'Title' }),
  record_id: z.string().nullable().meta({ title: 'Record ID' }),
  contact_id: z.string().nullable().meta({ title: 'Contact ID' }),
  assignee_id: z.string().nullable().meta({ title: 'Assigned to (ID)' }),
  due_date: z.string().nullable().meta({ title: 'Due date' }),
  notes: z.string().nullable().meta({ title: 'Notes' }),
  completed: z.boolean().meta({ title: 'Completed' }),
  completed_at: z.string().nullable().meta({ title: 'Completed at' }),
  created_at: Timestamp('Created at'),
  updated_at: Timestamp('Updated at'),
});

const NoteRow = z.object({
  id: z.string().meta({ title: 'Note ID' }),
  record_id: z.string().nullable().meta({ title: 'Record ID' }),
  contact_id: z.string().nullable().meta({ title: 'Contact ID' }),
  body: z.string().meta({ title: 'Text' }),
  created_at: Timestamp('Created at'),
});

const ActivityRow = z.object({
  id: z.string().meta({ title: 'Activity ID' }),
  record_id: z.string().nullable().meta({ title: 'Record ID' }),
  contact_id: z.string().nullable().meta({ title: 'Contact ID' }),
  type: z.string().meta({ title: 'Type' }),
  summary: z.string().meta({ title: 'Summary' }),
  data: Fields.meta({ title: 'Details' }),
  created_at: Timestamp('Created at'),
});

const StageChange = RecordRow.extend({
  from_stage_id: z.string().nullable().meta({ title: 'Previous stage ID' }),
  from_stage: z.string().nullable().meta({ title: 'Previous stage', description: 'Empty when the record had no stage.' }),
  to_stage_id: z.string().nullable().meta({ title: 'New stage ID' }),
  to_stage: z.string().nullable().meta({ title: 'New stage' }),
});

const TaggedContact = ContactRow.extend({ tag: z.string().meta({ title: 'Tag added' }) });

const FormSubmission = z.object({
  id: z.string().meta({ title: 'Submission ID' }),
  form: z.string().meta({ title: 'Form' }),
  fields: Fields.meta({ title: 'Answers', description: 'The submitted form fields by name.' }),
  created_at: Timestamp('Submitted at'),
});

function eventPayload<E extends string, D extends z.ZodType>(event: E, data: D) {
  return z.object({
    event: z.literal(event).meta({ title: 'Event' }),
    workspace_id: z.string().meta({ title: 'Workspace ID' }),
    timestamp: Timestamp('Happened at'),
    data,
  });
}

// ---------------------------------------------------------------------------------------------
// Samples, shaped like the demo workspace
// ---------------------------------------------------------------------------------------------

const WORKSPACE_ID = '0f6a7c52-3b1e-4f0d-9a55-1c2d3e4f5a6b';
const AT = '2026-06-17T14:20:00.000Z';

const SAMPLE_RECORD: RecordRowType = {
  id: 'b3e1a2f4-6c5d-4e7f-8a9b-0c1d2e3f4a5b',
  title: 'Johnson Property - Lawn Care',
  object_type_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  object_type: 'lead',
  pipeline_id: '5e6f7a8b-0000-4a1b-9c2d-3e4f5a6b7c8d',
  pipeline: 'Main Sales',
  stage_id: 'c9d0e1f2-1111-4a2b-8c3d-4e5f6a7b8c9d',
  stage: 'New',
  assignee_id: null,
  data: { phone: '555-0101', address: '18 Maple Ave, Hartford CT', source: 'Website', value: 1200 },
  created_at: AT,
  updated_at: AT,
};

const SAMPLE_CONTACT: z.output<typeof ContactRow> = {
  id: 'd4c3b2a1-7e6f-4d5c-9b8a-1f2e3d4c5b6a',
  email: 'sarah.johnson@example.com',
  first_name: 'Sarah',
  last_name: 'Johnson',
  name: 'Sarah Johnson',
  phone: '555-0101',
  company_id: null,
  data: {},
  tags: ['customer', 'vip'],
  created_at: AT,
  updated_at: AT,
};

const SAMPLE_TASK: z.output<typeof TaskRow> = {
  id: 'e7f8a9b0-2c3d-4e5f-8a6b-7c8d9e0f1a2b',
  title: 'Call Sarah about lawn care',
  record_id: SAMPLE_RECORD.id,
  contact_id: SAMPLE_CONTACT.id,
  assignee_id: null,
  due_date: '2026-06-19',
  notes: null,
  completed: false,
  completed_at: null,
  created_at: AT,
  updated_at: AT,
};

const SAMPLE_COMPLETED_TASK: z.output<typeof TaskRow> = {
  ...SAMPLE_TASK,
  completed: true,
  completed_at: '2026-06-18T09:05:00.000Z',
  updated_at: '2026-06-18T09:05:00.000Z',
};

const SAMPLE_MOVED_RECORD: RecordRowType = {
  ...SAMPLE_RECORD,
  stage_id: 'c9d0e1f2-2222-4a2b-8c3d-4e5f6a7b8c9d',
  stage: 'Contacted',
  updated_at: '2026-06-18T09:05:00.000Z',
};

// ---------------------------------------------------------------------------------------------
// Trigger filters
// ---------------------------------------------------------------------------------------------

function sameText(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function field(event: TriggerEvent, key: string): unknown {
  return event.data[key];
}

/** Refs are names, slugs or ids; a ref the store no longer knows still matches by name. */
function objectTypeMatches(ref: string | undefined, event: TriggerEvent, crm: CrmStore): boolean {
  if (ref === undefined) return true;
  const type = crm.getObjectType(ref);
  if (type) return type.id === field(event, 'object_type_id');
  return sameText(field(event, 'object_type'), ref);
}

function pipelineMatches(ref: string | undefined, event: TriggerEvent, crm: CrmStore): boolean {
  if (ref === undefined) return true;
  const pipeline = crm.getPipeline(ref);
  if (pipeline) return pipeline.id === field(event, 'pipeline_id');
  return sameText(field(event, 'pipeline'), ref);
}

function findStage(crm: CrmStore, id: unknown): Stage | undefined {
  if (typeof id !== 'string') return undefined;
  for (const pipeline of crm.listPipelines()) {
    const stage = pipeline.stages.find((s) => s.id === id);
    if (stage) return stage;
  }
  return undefined;
}

/** Compares against the event's own stage, so "Won" matches Won in whichever pipeline it is. */
function stageMatches(ref: string | undefined, stageId: unknown, stageName: unknown, crm: CrmStore): boolean {
  if (ref === undefined) return true;
  if (stageId === null || stageId === undefined) return false;
  if (ref.trim() === stageId) return true;
  const stage = findStage(crm, stageId);
  if (!stage) return sameText(stageName, ref);
  return sameText(stage.name, ref) || stage.slug === slugify(ref);
}

function hasTag(tags: unknown, tag: string): boolean {
  return Array.isArray(tags) && tags.some((t) => sameText(t, tag));
}

/**
 * Test events built from the newest matching row, so a test run of a fresh workflow works on
 * real data instead of a made-up id.
 */
function newestRecord(crm: CrmStore, query: { type?: string; pipeline?: string; stage?: string }): RecordRowType | undefined {
  try {
    const count = crm.countRecords(query);
    return count ? crm.findRecords({ ...query, limit: 1, offset: count - 1 })[0] : undefined;
  } catch {
    return undefined;
  }
}

function recordSample(event: string) {
  return (params: { objectType?: string; pipeline?: string; stage?: string }, crm: CrmStore): TriggerEvent | undefined => {
    const record = newestRecord(crm, { type: params.objectType, pipeline: params.pipeline, stage: params.stage });
    return record && { event, workspace_id: crm.workspaceId(), timestamp: record.updated_at, data: record };
  };
}

function contactSample(event: string) {
  return (params: { tag?: string }, crm: CrmStore): TriggerEvent | undefined => {
    const contact = crm.listContacts({ tag: params.tag }).at(-1);
    return (
      contact && {
        event,
        workspace_id: crm.workspaceId(),
        timestamp: contact.updated_at,
        data: params.tag ? { ...contact, tag: params.tag } : contact,
      }
    );
  };
}

// ---------------------------------------------------------------------------------------------
// Triggers
// ---------------------------------------------------------------------------------------------

const recordCreated = defineTrigger({
  key: 'recordCreated',
  version: 1,
  label: 'Record created',
  description: 'Starts when a record (lead, job, estimate …) is added to the local CRM.',
  source: 'local',
  events: ['record.created'],
  params: z.object({
    objectType: objectTypeFilter,
    pipeline: pipelineFilter('Only for records placed in this pipeline. Leave empty for any.'),
    stage: stageFilter('Stage', 'Only for records that start in this stage. Leave empty for any.'),
  }),
  output: eventPayload('record.created', RecordRow),
  sample: { event: 'record.created', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_RECORD },
  liveSample: recordSample('record.created'),
  matches: (params, event, crm) =>
    objectTypeMatches(params.objectType, event, crm) &&
    pipelineMatches(params.pipeline, event, crm) &&
    stageMatches(params.stage, field(event, 'stage_id'), field(event, 'stage'), crm),
});

const recordUpdated = defineTrigger({
  key: 'recordUpdated',
  version: 1,
  label: 'Record updated',
  description: "Starts when a record's title, fields, assignee or stage changes.",
  source: 'local',
  events: ['record.updated'],
  params: z.object({ objectType: objectTypeFilter }),
  output: eventPayload('record.updated', RecordRow),
  sample: { event: 'record.updated', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_MOVED_RECORD },
  liveSample: recordSample('record.updated'),
  matches: (params, event, crm) => objectTypeMatches(params.objectType, event, crm),
});

const recordDeleted = defineTrigger({
  key: 'recordDeleted',
  version: 1,
  label: 'Record deleted',
  description: 'Starts when a record is deleted; the data is the record as it was just before.',
  source: 'local',
  events: ['record.deleted'],
  params: z.object({ objectType: objectTypeFilter }),
  output: eventPayload('record.deleted', RecordRow),
  sample: { event: 'record.deleted', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_RECORD },
  matches: (params, event, crm) => objectTypeMatches(params.objectType, event, crm),
});

const stageChanged = defineTrigger({
  key: 'stageChanged',
  version: 1,
  label: 'Stage changed',
  description: 'Starts when a record moves to another pipeline stage, or is created in one.',
  source: 'local',
  events: ['pipeline.stage_changed'],
  params: z.object({
    objectType: objectTypeFilter,
    pipeline: pipelineFilter('Only for records in this pipeline. Leave empty for any.'),
    toStage: stageFilter('Moved to', 'Only when the record arrives in this stage, e.g. Won. Leave empty for any.'),
    fromStage: stageFilter('Moved from', 'Only when the record leaves this stage. Leave empty for any.'),
  }),
  output: eventPayload('pipeline.stage_changed', StageChange),
  sample: {
    event: 'pipeline.stage_changed',
    workspace_id: WORKSPACE_ID,
    timestamp: AT,
    data: {
      ...SAMPLE_MOVED_RECORD,
      from_stage_id: SAMPLE_RECORD.stage_id,
      from_stage: SAMPLE_RECORD.stage,
      to_stage_id: SAMPLE_MOVED_RECORD.stage_id,
      to_stage: SAMPLE_MOVED_RECORD.stage,
    },
  },
  liveSample: (params, crm) => {
    const record = newestRecord(crm, { type: params.objectType, pipeline: params.pipeline, stage: params.toStage });
    if (!record) return undefined;
    const data = { ...record, from_stage_id: null, from_stage: null, to_stage_id: record.stage_id, to_stage: record.stage };
    return { event: 'pipeline.stage_changed', workspace_id: crm.workspaceId(), timestamp: record.updated_at, data };
  },
  matches: (params, event, crm) =>
    objectTypeMatches(params.objectType, event, crm) &&
    pipelineMatches(params.pipeline, event, crm) &&
    stageMatches(params.toStage, field(event, 'to_stage_id'), field(event, 'to_stage'), crm) &&
    stageMatches(params.fromStage, field(event, 'from_stage_id'), field(event, 'from_stage'), crm),
});

const taskCreated = defineTrigger({
  key: 'taskCreated',
  version: 1,
  label: 'Task added',
  description: 'Starts when a task is added in the local CRM.',
  source: 'local',
  events: ['task.created'],
  params: z.object({}),
  output: eventPayload('task.created', TaskRow),
  sample: { event: 'task.created', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_TASK },
  matches: () => true,
});

const taskCompleted = defineTrigger({
  key: 'taskCompleted',
  version: 1,
  label: 'Task completed',
  description: 'Starts when a task is marked as done.',
  source: 'local',
  events: ['task.completed'],
  params: z.object({}),
  output: eventPayload('task.completed', TaskRow),
  sample: { event: 'task.completed', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_COMPLETED_TASK },
  matches: () => true,
});

const contactCreated = defineTrigger({
  key: 'contactCreated',
  version: 1,
  label: 'Contact created',
  description: 'Starts when a contact is added to the local CRM.',
  source: 'local',
  events: ['contact.created'],
  params: z.object({ tag: tagFilter('Only for contacts that have this tag. Leave empty for every contact.') }),
  output: eventPayload('contact.created', ContactRow),
  sample: { event: 'contact.created', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_CONTACT },
  liveSample: contactSample('contact.created'),
  matches: (params, event) => params.tag === undefined || hasTag(field(event, 'tags'), params.tag),
});

const contactUpdated = defineTrigger({
  key: 'contactUpdated',
  version: 1,
  label: 'Contact updated',
  description: "Starts when a contact's name, email, phone, company or fields change.",
  source: 'local',
  events: ['contact.updated'],
  params: z.object({ tag: tagFilter('Only for contacts that have this tag. Leave empty for every contact.') }),
  output: eventPayload('contact.updated', ContactRow),
  sample: { event: 'contact.updated', workspace_id: WORKSPACE_ID, timestamp: AT, data: SAMPLE_CONTACT },
  liveSample: contactSample('contact.updated'),
  matches: (params, event) => params.tag === undefined || hasTag(field(event, 'tags'), params.tag),
});

const contactTagged = defineTrigger({
  key: 'contactTagged',
  version: 1,
  label: 'Contact tagged',
  description: 'Starts when a tag is added to a contact (once per tag added).',
  source: 'local',
  events: ['contact.tagged'],
  params: z.object({ tag: tagFilter('Only when this tag is the one added, e.g. vip. Leave empty for any tag.') }),
  output: eventPayload('contact.tagged', TaggedContact),
  sample: { event: 'contact.tagged', workspace_id: WORKSPACE_ID, timestamp: AT, data: { ...SAMPLE_CONTACT, tag: 'vip' } },
  liveSample: contactSample('contact.tagged'),
  matches: (params, event) => params.tag === undefined || sameText(field(event, 'tag'), params.tag),
});

const formSubmitted = defineTrigger({
  key: 'formSubmitted',
  version: 1,
  label: 'Form submitted',
  description: 'Starts when a form (e.g. the website contact form) is submitted to the local CRM.',
  source: 'local',
  events: ['form.submitted'],
  params: z.object({
    form: optionalText({
      title: 'Form',
      description: "Only for this form's submissions, by name, e.g. Contact us. Leave empty for every form.",
    }),
  }),
  output: eventPayload('form.submitted', FormSubmission),
  sample: {
    event: 'form.submitted',
    workspace_id: WORKSPACE_ID,
    timestamp: AT,
    data: {
      id: 'f1e2d3c4-5b6a-4978-8695-a4b3c2d1e0f9',
      form: 'Contact us',
      fields: { name: 'Linh Nguyen', email: 'linh.nguyen@example.org', phone: '555-0103', message: 'Gutters overflowing, need a quote.' },
      created_at: AT,
    },
  },
  matches: (params, event) => params.form === undefined || sameText(field(event, 'form'), params.form),
});

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

const createRecord = defineAction({
  key: 'createRecord',
  version: 1,
  label: 'Create record',
  description: 'Adds a record (lead, job, estimate …) to the local CRM, optionally in a pipeline stage.',
  effect: 'write',
  transactional: true,
  input: z.object({
    type: text({ title: 'Object type', description: 'What kind of record to create, e.g. Lead or Job.', widget: 'objectType' }),
    title: text({ title: 'Title', description: 'The name shown on the record, e.g. "Smith Residence - Spring Cleanup".' }),
    pipeline: pipelineFilter('The pipeline to place the record in. Leave empty to keep it out of pipelines.'),
    stage: stageFilter('Stage', "The stage to start in. Leave empty to use the pipeline's first stage."),
    data: optionalFields({ title: 'Fields', description: 'Extra fields to store on the record, e.g. phone, address, value.' }),
    assignee_id: optionalText({ title: 'Assign to', description: 'ID of the team member responsible. Leave empty for nobody.' }),
  }),
  output: RecordRow,
  sample: SAMPLE_RECORD,
  run: (ctx) => ctx.crm.createRecord(ctx.input),
});

const updateRecord = defineAction({
  key: 'updateRecord',
  version: 1,
  label: 'Update record',
  description: "Changes a record's title, fields, assignee or stage; anything left empty stays as it is.",
  effect: 'write',
  transactional: true,
  input: z.object({
    record_id: recordIdField,
    title: optionalText({ title: 'New title', description: 'Leave empty to keep the current title.' }),
    data: optionalFields({ title: 'Fields', description: 'Fields to set on the record, e.g. value or crew.' }),
    mode: z.preprocess(absentIfBlank, z.enum(['merge', 'replace'], { error: 'Choose "merge" or "replace".' }).default('merge')).meta({
      title: 'How to apply the fields',
      description: '"merge" changes only the fields listed here; "replace" removes every field not listed here.',
    }),
    pipeline: pipelineFilter('Move the record to this pipeline. Leave empty to keep its pipeline.'),
    stage: stageFilter('Stage', 'Move the record to this stage. Leave empty to keep its stage.'),
    assignee_id: optionalText({ title: 'Assign to', description: 'ID of the team member responsible. Leave empty to keep it.' }),
  }),
  output: RecordRow,
  sample: SAMPLE_MOVED_RECORD,
  run(ctx) {
    const { record_id, mode, ...patch } = ctx.input;
    return ctx.crm.updateRecord(record_id, { ...patch, dataMode: mode });
  },
});

const moveStage = defineAction({
  key: 'moveStage',
  version: 1,
  label: 'Move to stage',
  description: 'Moves a record to another pipeline stage.',
  effect: 'write',
  transactional: true,
  input: z.object({
    record_id: recordIdField,
    pipeline: pipelineFilter('Only needed to move the record into another pipeline.'),
    stage: text({ title: 'Stage', description: 'The stage to move to, e.g. Contacted or Won.', widget: 'stage' }),
  }),
  output: RecordRow,
  sample: SAMPLE_MOVED_RECORD,
  run: (ctx) => ctx.crm.moveStage(ctx.input.record_id, ctx.input.stage, ctx.input.pipeline),
});

/** Records are read this many at a time while conditions are checked, to keep each read small. */
const FIND_PAGE = 200;

const findRecords = defineAction({
  key: 'findRecords',
  version: 1,
  label: 'Find records',
  description: 'Looks up records by type, title, stage and conditions on their fields.',
  effect: 'read',
  rawParams: ['where'],
  input: z.object({
    type: objectTypeFilter,
    search: optionalText({ title: 'Title contains', description: 'Only records whose title contains this text (any letter case).' }),
    pipeline: pipelineFilter('Only records in this pipeline. Leave empty for any.'),
    stage: stageFilter('Stage', 'Only records in this stage. Leave empty for any.'),
    where: z.preprocess(asConditions, ConditionGroup.optional()).meta({
      title: 'Conditions',
      description: "Only records that meet these conditions; refer to a record's fields as record.title, record.data.phone and so on.",
      widget: 'conditions',
    }),
    limit: z
      .preprocess(absentIfBlank, z.coerce.number({ error: 'Enter a number.' }).int().min(1).max(500).default(50))
      .meta({ title: 'At most', description: 'The largest number of records to return (1 to 500).' }),
  }),
  output: z.object({
    records: z.array(RecordRow).meta({ title: 'Records', description: 'The matching records, oldest first.' }),
    count: z.number().meta({ title: 'Number found' }),
    first: RecordRow.nullable().meta({ title: 'First record', description: 'The first matching record, or empty when none matched.' }),
  }),
  sample: { records: [SAMPLE_RECORD], count: 1, first: SAMPLE_RECORD },
  run(ctx) {
    const { where, limit, ...query } = ctx.input;
    const records = where ? findWhere(ctx.crm, query, where, limit, ctx.scope) : ctx.crm.findRecords({ ...query, limit });
    return { records, count: records.length, first: records[0] ?? null };
  },
});

/**
 * A record lacking a field in the conditions simply doesn't match; only when no record has it is
 * the field name probably wrong, and then the error says so.
 */
function findWhere(
  crm: CrmStore,
  query: { type?: string; search?: string; pipeline?: string; stage?: string },
  where: ConditionGroup,
  limit: number,
  scope: Record<string, unknown>,
): RecordRowType[] {
  const found: RecordRowType[] = [];
  let checked = 0;
  let missingField: ConditionError | undefined;
  let missingEverywhere = true;
  for (let offset = 0; found.length < limit; offset += FIND_PAGE) {
    const page = crm.findRecords({ ...query, limit: FIND_PAGE, offset });
    for (const record of page) {
      checked++;
      try {
        if (evaluateGroup(where, { ...scope, record })) found.push(record);
        missingEverywhere = false;
      } catch (error) {
        if (!(error instanceof ConditionError)) throw error;
        missingField ??= error;
      }
      if (found.length === limit) break;
    }
    if (page.length < FIND_PAGE) break;
  }
  if (missingField && missingEverywhere && checked > 0) throw missingField;
  return found;
}

function requireRecord(crm: CrmStore, id: string): RecordRowType {
  const record = crm.getRecord(id);
  if (!record) throw new CrmError(`Record "${id}" does not exist (it may have been deleted).`, 'record_id');
  return record;
}

const getRecord = defineAction({
  key: 'getRecord',
  version: 1,
  label: 'Get record',
  description: 'Reads one record with all its fields.',
  effect: 'read',
  input: z.object({ record_id: recordIdField }),
  output: RecordRow,
  sample: SAMPLE_RECORD,
  run: (ctx) => requireRecord(ctx.crm, ctx.input.record_id),
});

const deleteRecord = defineAction({
  key: 'deleteRecord',
  version: 1,
  label: 'Delete record',
  description: 'Deletes a record from the local CRM.',
  effect: 'write',
  transactional: true,
  input: z.object({ record_id: recordIdField }),
  output: z.object({
    deleted: z.literal(true).meta({ title: 'Deleted' }),
    id: z.string().meta({ title: 'Record ID' }),
  }),
  sample: { deleted: true, id: SAMPLE_RECORD.id },
  run: (ctx) => ctx.crm.deleteRecord(ctx.input.record_id),
});

const createTask = defineAction({
  key: 'createTask',
  version: 1,
  label: 'Add task',
  description: 'Adds a to-do, optionally linked to a record or a contact and with a due date.',
  effect: 'write',
  transactional: true,
  input: z.object({
    title: text({ title: 'Task', description: 'What needs doing, e.g. "Call Sarah about lawn care".' }),
    record_id: optionalRecordId('The record this task is about. Leave empty for none.'),
    contact_id: optionalContactId('The contact this task is about. Leave empty for none.'),
    due_date: optionalDate({ title: 'Due date', description: 'When it is due (YYYY-MM-DD). Leave empty for no due date.' }),
    notes: optionalText({ title: 'Notes', description: 'Details for whoever does the task.', widget: 'textarea' }),
    assignee_id: optionalText({ title: 'Assign to', description: 'ID of the team member who should do it. Leave empty for nobody.' }),
  }),
  output: TaskRow,
  sample: SAMPLE_TASK,
  run: (ctx) => ctx.crm.createTask(ctx.input),
});

const updateTask = defineAction({
  key: 'updateTask',
  version: 1,
  label: 'Update task',
  description: "Changes a task's title, due date, notes or done state; anything left empty stays as it is.",
  effect: 'write',
  transactional: true,
  input: z.object({
    task_id: taskIdField,
    title: optionalText({ title: 'New title', description: 'Leave empty to keep the current title.' }),
    due_date: optionalDate({ title: 'Due date', description: 'New due date (YYYY-MM-DD). Leave empty to keep it.' }),
    notes: optionalText({ title: 'Notes', description: 'New notes. Leave empty to keep the current notes.', widget: 'textarea' }),
    completed: optionalFlag({ title: 'Done', description: 'Yes marks the task done, no reopens it. Leave empty to keep it.' }),
  }),
  output: TaskRow,
  sample: SAMPLE_TASK,
  run(ctx) {
    const { task_id, ...patch } = ctx.input;
    return ctx.crm.updateTask(task_id, patch);
  },
});

const completeTask = defineAction({
  key: 'completeTask',
  version: 1,
  label: 'Complete task',
  description: 'Marks a task as done.',
  effect: 'write',
  transactional: true,
  input: z.object({ task_id: taskIdField }),
  output: TaskRow,
  sample: SAMPLE_COMPLETED_TASK,
  run: (ctx) => ctx.crm.completeTask(ctx.input.task_id),
});

const createOrUpdateContact = defineAction({
  key: 'createOrUpdateContact',
  version: 1,
  label: 'Create or update contact',
  description: 'Updates the contact with this email, or creates one when there is none.',
  effect: 'write',
  transactional: true,
  input: z.object({
    email: text({ title: 'Email', description: 'Used to find an existing contact, so each person is stored once.' }),
    first_name: optionalText({ title: 'First name', description: 'Leave empty to keep the current first name.' }),
    last_name: optionalText({ title: 'Last name', description: 'Leave empty to keep the current last name.' }),
    phone: optionalText({ title: 'Phone', description: 'Leave empty to keep the current phone number.' }),
    data: optionalFields({ title: 'Fields', description: 'Extra fields to set; fields not listed here are kept.' }),
    tags: z
      .preprocess((v) => asTagList(absentIfBlank(v)), z.array(z.string(), { error: 'Tags must be words separated by commas.' }).optional())
      .meta({
        title: 'Tags',
        description: 'Tags to add, separated by commas, e.g. "customer, vip". Existing tags are kept.',
        widget: 'tag',
      }),
  }),
  output: ContactRow.extend({
    created: z.boolean().meta({ title: 'Was created', description: 'Yes when a new contact was created, no when one was updated.' }),
  }),
  sample: { ...SAMPLE_CONTACT, created: false },
  run(ctx) {
    const { contact, created } = ctx.crm.upsertContact(ctx.input);
    return { ...contact, created };
  },
});

const findContact = defineAction({
  key: 'findContact',
  version: 1,
  label: 'Find contact',
  description: 'Looks up a contact by email address.',
  effect: 'read',
  input: z.object({ email: text({ title: 'Email', description: 'The email address to look for (any letter case).' }) }),
  output: z.object({
    found: z.boolean().meta({ title: 'Found', description: 'Yes when a contact has this email.' }),
    contact: ContactRow.nullable().meta({ title: 'Contact', description: 'The contact, or empty when none was found.' }),
  }),
  sample: { found: true, contact: SAMPLE_CONTACT },
  run(ctx) {
    const contact = ctx.crm.findContactByEmail(ctx.input.email) ?? null;
    return { found: contact !== null, contact };
  },
});

const findTasks = defineAction({
  key: 'findTasks',
  version: 1,
  label: 'Find tasks',
  description: 'Lists tasks: open or done, overdue, or those of one record or contact.',
  effect: 'read',
  input: z.object({
    record_id: optionalRecordId('Only tasks of this record. Leave empty for any.'),
    contact_id: optionalContactId('Only tasks of this contact. Leave empty for any.'),
    status: z
      .preprocess(absentIfBlank, z.enum(['open', 'done', 'overdue', 'any']).default('open'))
      .meta({ title: 'Which tasks', description: 'Open tasks, done tasks, open tasks past their due date, or all of them.' }),
    limit: z
      .preprocess(absentIfBlank, z.coerce.number({ error: 'Enter a number.' }).int().min(1).max(500).default(100))
      .meta({ title: 'At most', description: 'The largest number of tasks to return (1 to 500).' }),
  }),
  output: z.object({
    tasks: z.array(TaskRow).meta({ title: 'Tasks', description: 'The matching tasks, soonest due first.' }),
    count: z.number().meta({ title: 'Number found' }),
    first: TaskRow.nullable().meta({ title: 'First task', description: 'The first matching task, or empty when none matched.' }),
  }),
  sample: { tasks: [SAMPLE_TASK], count: 1, first: SAMPLE_TASK },
  run(ctx) {
    const { status, limit, record_id, contact_id } = ctx.input;
    const today = ctx.now().toISOString().slice(0, 10);
    const tasks = ctx.crm
      .listTasks({
        record_id,
        contact_id,
        ...(status === 'open'
          ? { completed: false }
          : status === 'done'
            ? { completed: true }
            : status === 'overdue'
              ? { overdueOn: today }
              : {}),
      })
      .slice(0, limit);
    return { tasks, count: tasks.length, first: tasks[0] ?? null };
  },
});

const tagContact = defineAction({
  key: 'tagContact',
  version: 1,
  label: 'Tag contact',
  description: 'Adds tags to a contact; tags it already has are left alone.',
  effect: 'write',
  transactional: true,
  input: z.object({
    contact_id: contactIdField,
    tags: tagList({ title: 'Tags', description: 'Tags to add, separated by commas, e.g. "customer, vip".' }),
  }),
  output: ContactRow,
  sample: SAMPLE_CONTACT,
  run: (ctx) => ctx.crm.tagContact(contactIdOf(ctx.crm, ctx.input.contact_id), ctx.input.tags),
});

const untagContact = defineAction({
  key: 'untagContact',
  version: 1,
  label: 'Remove tag',
  description: "Removes tags from a contact; tags it doesn't have are ignored.",
  effect: 'write',
  transactional: true,
  input: z.object({
    contact_id: contactIdField,
    tags: tagList({ title: 'Tags', description: 'Tags to remove, separated by commas, e.g. "newsletter".' }),
  }),
  output: ContactRow,
  sample: { ...SAMPLE_CONTACT, tags: ['customer'] },
  run: (ctx) => ctx.crm.untagContact(contactIdOf(ctx.crm, ctx.input.contact_id), ctx.input.tags),
});

/** A note or activity attached to nothing could never be found again. */
const LINK_REQUIRED = {
  error: 'Choose the record or the contact this belongs to.',
  path: ['record_id'],
};
const isLinked = (input: { record_id?: string; contact_id?: string }) => input.record_id !== undefined || input.contact_id !== undefined;

const addNote = defineAction({
  key: 'addNote',
  version: 1,
  label: 'Add note',
  description: 'Writes a note on a record or a contact.',
  effect: 'write',
  transactional: true,
  input: z
    .object({
      record_id: optionalRecordId('The record to write the note on.'),
      contact_id: optionalContactId('The contact to write the note on.'),
      body: text({ title: 'Note', description: 'The text of the note.', widget: 'textarea' }),
    })
    .refine(isLinked, LINK_REQUIRED),
  output: NoteRow,
  sample: {
    id: 'a9b8c7d6-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
    record_id: SAMPLE_RECORD.id,
    contact_id: SAMPLE_CONTACT.id,
    body: 'Wants natural stone, not concrete blocks. Follow up after the weekend.',
    created_at: AT,
  },
  run: (ctx) => ctx.crm.addNote(ctx.input),
});

const logActivity = defineAction({
  key: 'logActivity',
  version: 1,
  label: 'Log activity',
  description: "Records something that happened (a call, an email, a visit) on a record or a contact's timeline.",
  effect: 'write',
  transactional: true,
  input: z
    .object({
      record_id: optionalRecordId('The record the activity is about.'),
      contact_id: optionalContactId('The contact the activity is about.'),
      type: text({
        title: 'Type',
        description: 'What kind of activity, e.g. call, email, sms or visit.',
        examples: ['call', 'email', 'sms', 'visit'],
      }),
      summary: text({ title: 'Summary', description: 'One line about what happened.' }),
      data: optionalFields({ title: 'Details', description: 'Extra details to keep, e.g. duration_minutes or outcome.' }),
    })
    .refine(isLinked, LINK_REQUIRED),
  output: ActivityRow,
  sample: {
    id: 'b0c1d2e3-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
    record_id: SAMPLE_RECORD.id,
    contact_id: SAMPLE_CONTACT.id,
    type: 'call',
    summary: 'Called Sarah: wants weekly mowing from May.',
    data: { duration_minutes: 6, outcome: 'interested' },
    created_at: AT,
  },
  run: (ctx) => ctx.crm.logActivity(ctx.input),
});

export const localCrm = defineConnector({
  id: 'local',
  name: 'Local CRM',
  description: 'The CRM built into Pipewright: records, pipelines, contacts, tasks and notes stored on this computer.',
  icon: 'database',
  needsConnection: false,
  triggers: [
    recordCreated,
    recordUpdated,
    recordDeleted,
    stageChanged,
    taskCreated,
    taskCompleted,
    contactCreated,
    contactUpdated,
    contactTagged,
    formSubmitted,
  ],
  actions: [
    createRecord,
    updateRecord,
    moveStage,
    findRecords,
    getRecord,
    deleteRecord,
    createTask,
    updateTask,
    completeTask,
    findTasks,
    createOrUpdateContact,
    findContact,
    tagContact,
    untagContact,
    addNote,
    logActivity,
  ],
});
