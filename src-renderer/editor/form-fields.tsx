import * as Popover from '@radix-ui/react-popover';
import { CalendarDays, Plus, Trash2, X } from 'lucide-react';
import { type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { JsonSchema } from '../../src-main/shared/catalog.ts';
import {
  type ConditionGroup,
  type ConditionRow,
  isGroup,
  OPERATORS,
  type Operator,
  UNARY_OPERATORS,
} from '../../src-main/shared/conditions.ts';
import type { Issue } from '../../src-main/shared/contract.ts';
import { rpc } from '../rpc.ts';
import { defaultArrayItem, deref, properties, required, schemaType, unionVariants } from './catalog.ts';
import { usePicker } from './data-picker.tsx';
import { type CrmSchema, useEditor } from './store.ts';
import { PathField, TemplateField } from './template-field.tsx';
import { hasTemplate, humanize } from './templates.ts';

/** Form controls generated from a step's JSON Schema (with the `.meta()` hints of the catalog). */

export interface FieldProps {
  name: string;
  schema: JsonSchema;
  root: JsonSchema;
  value: unknown;
  onChange(value: unknown): void;
  required: boolean;
  issues: Issue[];
  /** The other params of the step (a stage list depends on the chosen pipeline). */
  siblings: Record<string, unknown>;
  /** Dotted path from the params root, for validation messages and test ids. */
  path: string;
}

/** Turns an engine message into the short line shown under a field. */
export function inlineMessage(issue: Issue): string {
  let text = issue.message
    .replace(/^Step [^:]+:\s*/, '')
    .replace(/^(field "[^"]+"|“[^”]+”)\s+/, '')
    .trim();
  if (/^is required\.?$/.test(text)) return 'This field is required.';
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function issuesFor(issues: Issue[], path: string): Issue[] {
  return issues.filter((i) => i.field !== undefined && (i.field === path || i.field.startsWith(`${path}.`)));
}

function fallbackHelp(schema: JsonSchema): string {
  switch (schema.widget) {
    case 'record':
      return 'The record to use, usually picked from an earlier step.';
    case 'contact':
      return 'The contact to use: its ID or email, usually picked from an earlier step.';
  }
  const type = schemaType(schema);
  if (Array.isArray(schema.enum)) return 'Choose one of the options.';
  if (type === 'number' || type === 'integer') return 'A number.';
  if (type === 'boolean') return 'Tick to turn this on.';
  return 'Type a value, or insert data from an earlier step with “+ Data”.';
}

/** Label, control, help line and validation messages: the frame of every field. */
export function FieldFrame(props: {
  id: string;
  label: string;
  help: string;
  required?: boolean;
  issues: Issue[];
  children: ReactNode;
  testId?: string;
  asGroup?: boolean;
}) {
  const helpId = `${props.id}-help`;
  const Label = props.asGroup ? 'span' : 'label';
  return (
    <div className={`pw-field${props.issues.length ? ' is-invalid' : ''}`} data-testid={props.testId} data-field={props.testId}>
      <Label className="pw-field-label" {...(props.asGroup ? { id: `${props.id}-label` } : { htmlFor: props.id })}>
        {props.label}
        {!props.required && <span className="pw-field-optional">optional</span>}
      </Label>
      {props.children}
      <p className="pw-field-help" id={helpId}>
        {props.help}
      </p>
      {props.issues.map((issue) => (
        <p key={issue.message} className="pw-field-error" role="alert">
          {inlineMessage(issue)}
        </p>
      ))}
    </div>
  );
}

export function Field(props: FieldProps) {
  const id = useId();
  const schema = deref(props.schema, props.root);
  const label = typeof schema.title === 'string' ? schema.title : humanize(props.name);
  const help = typeof schema.description === 'string' ? schema.description : fallbackHelp(schema);
  const issues = issuesFor(props.issues, props.path);
  const invalid = issues.length > 0;
  const frame = (control: ReactNode, asGroup = false) => (
    <FieldFrame id={id} label={label} help={help} required={props.required} issues={issues} testId={props.path} asGroup={asGroup}>
      {control}
    </FieldFrame>
  );
  const type = schemaType(schema);
  const widget = schema.widget as string | undefined;
  const text = typeof props.value === 'string' ? props.value : props.value === undefined || props.value === null ? '' : String(props.value);
  const setText = (v: string) => props.onChange(v === '' ? undefined : v);

  if (widget === 'conditions') {
    return frame(
      <ConditionsField value={props.value as ConditionGroup | undefined} onChange={props.onChange} issues={issues} path={props.path} />,
      true,
    );
  }
  if (widget === 'keyValue' || (type === 'object' && Object.keys(properties(schema)).length === 0)) {
    return frame(<KeyValueField value={props.value} onChange={props.onChange} label={label} />, true);
  }
  if (widget === 'objectType' || widget === 'pipeline' || widget === 'stage' || (widget === 'tag' && type !== 'array')) {
    return frame(
      <CrmSelect
        id={id}
        kind={widget}
        value={text}
        onChange={setText}
        required={props.required}
        help={help}
        label={label}
        pipeline={props.siblings.pipeline}
        invalid={invalid}
      />,
    );
  }
  if (widget === 'tag') return frame(<TagsField id={id} value={props.value} onChange={props.onChange} label={label} invalid={invalid} />);
  if (Array.isArray(schema.enum)) {
    const options = schema.enum as string[];
    return frame(
      <select
        id={id}
        className="pw-select"
        value={text || String(schema.default ?? '')}
        aria-invalid={invalid || undefined}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      >
        {!props.required && schema.default === undefined && <option value="">—</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </select>,
    );
  }
  if (type === 'boolean') {
    return frame(
      <label className="pw-ed-switch">
        <input id={id} type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.target.checked)} />
        <span>{props.value === true ? 'Yes' : 'No'}</span>
      </label>,
    );
  }
  if ((type === 'number' || type === 'integer') && !hasTemplate(props.value)) {
    return frame(
      <input
        id={id}
        className="pw-input pw-input--number"
        type="number"
        inputMode={type === 'integer' ? 'numeric' : 'decimal'}
        min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
        max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
        step={type === 'integer' ? 1 : 'any'}
        value={props.value === undefined || props.value === null ? '' : String(props.value)}
        aria-invalid={invalid || undefined}
        onChange={(e) => props.onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />,
    );
  }
  if (type === 'array' && schemaType(deref(schema.items as JsonSchema, props.root)) === 'object') {
    return frame(<ObjectList {...props} />, true);
  }
  // Text (and lists picked from earlier steps): accepts data from earlier steps.
  return frame(
    <TemplateField
      id={id}
      label={label}
      value={Array.isArray(props.value) ? props.value.join(', ') : text}
      onChange={setText}
      multiline={widget === 'textarea'}
      describedBy={`${id}-help`}
      invalid={invalid}
      placeholder={placeholderFor(schema, type)}
      extra={widget === 'date' ? <DateHelper onPick={setText} /> : undefined}
    />,
  );
}

function placeholderFor(schema: JsonSchema, type: string | undefined): string {
  if (schema.widget === 'date') return 'e.g. 2 days after the run starts';
  if (schema.widget === 'record') return 'Pick the record with “+ Data”';
  if (schema.widget === 'contact') return 'Pick the contact with “+ Data”';
  if (type === 'array') return 'Pick a list with “+ Data”';
  return '';
}

/** The params of a step (or of one entry of a list): one field per property, unions as a choice. */
export function ObjectFields(props: {
  schema: JsonSchema;
  root: JsonSchema;
  value: Record<string, unknown>;
  onChange(key: string, value: unknown): void;
  replace(value: Record<string, unknown>): void;
  issues: Issue[];
  path: string;
}) {
  const union = unionVariants(props.schema);
  if (union) {
    const current = union.variants.find((v) => v.value === props.value[union.key]) ?? union.variants[0];
    return (
      <>
        <fieldset className="pw-ed-segmented">
          <legend className="pw-field-label">{variantQuestion(union.key)}</legend>
          {union.variants.map((v) => (
            <label key={v.value} className={`pw-ed-segmented__option${v === current ? ' is-active' : ''}`}>
              <input
                type="radio"
                name={`${props.path}-${union.key}`}
                checked={v === current}
                onChange={() => props.replace({ ...defaultsOf(v.schema, props.root), [union.key]: v.value })}
              />
              {variantLabel(v.value)}
            </label>
          ))}
        </fieldset>
        {current && <ObjectFields {...props} schema={{ ...current.schema, $defs: props.root.$defs }} />}
      </>
    );
  }
  const req = required(props.schema);
  return (
    <>
      {Object.entries(properties(props.schema)).map(([key, prop]) => {
        if (deref(prop, props.root).const !== undefined) return null;
        return (
          <Field
            key={key}
            name={key}
            schema={prop}
            root={props.root}
            value={props.value[key]}
            onChange={(v) => props.onChange(key, v)}
            required={req.includes(key)}
            issues={props.issues}
            siblings={props.value}
            path={props.path ? `${props.path}.${key}` : key}
          />
        );
      })}
    </>
  );
}

function defaultsOf(schema: JsonSchema, root: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(properties(schema))) {
    const prop = deref(raw, root);
    if (prop.default !== undefined) out[key] = prop.default;
    else if (key === 'amount') out[key] = 1;
  }
  return out;
}

const VARIANT_LABELS: Record<string, string> = {
  duration: 'For a length of time',
  until: 'Until a time of day',
};

function variantLabel(value: string): string {
  return VARIANT_LABELS[value] ?? humanize(value);
}

function variantQuestion(key: string): string {
  return key === 'mode' ? 'How' : humanize(key);
}

/** A list of objects, e.g. the cases of a switch. */
function ObjectList(props: FieldProps) {
  const schema = deref(props.schema, props.root);
  const items = Array.isArray(props.value) ? (props.value as Record<string, unknown>[]) : [];
  const itemSchema = deref(schema.items as JsonSchema, props.root);
  const noun = humanize(props.name).replace(/s$/, '').toLowerCase();
  return (
    <div className="pw-ed-objlist">
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: entries have no identity of their own
        <div key={i} className="pw-ed-objlist__item">
          <div className="pw-ed-objlist__head">
            <span>
              {humanize(noun)} {i + 1}
            </span>
            <button
              type="button"
              className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
              aria-label={`Remove ${noun} ${i + 1}`}
              onClick={() => props.onChange(items.filter((_, j) => j !== i))}
            >
              <Trash2 size={14} aria-hidden="true" />
            </button>
          </div>
          <ObjectFields
            schema={itemSchema}
            root={props.root}
            value={item}
            issues={props.issues}
            path={`${props.path}.${i}`}
            onChange={(key, v) => {
              const next = { ...item };
              if (v === undefined) delete next[key];
              else next[key] = v;
              props.onChange(items.map((it, j) => (j === i ? next : it)));
            }}
            replace={(v) => props.onChange(items.map((it, j) => (j === i ? v : it)))}
          />
        </div>
      ))}
      <button
        type="button"
        className="pw-button pw-button--ghost pw-button--sm"
        onClick={() => props.onChange([...items, defaultArrayItem(schema, props.root, items.length + 1)])}
      >
        <Plus size={14} aria-hidden="true" /> Add {noun}
      </button>
    </div>
  );
}

/** Loads the CRM's object types, pipelines, stages and tags (again when a list is opened: they change). */
export function useCrmSchema(): CrmSchema | null {
  return useEditor((s) => s.crmSchema);
}

let refreshing: Promise<void> | null = null;
export function refreshCrmSchema(): Promise<void> {
  refreshing ??= rpc
    .call('crm.schema', {})
    .then((schema) => {
      // Unchanged lists keep their identity: the steps that show CRM names need not render again.
      const current = useEditor.getState().crmSchema;
      if (!current || JSON.stringify(current) !== JSON.stringify(schema)) useEditor.setState({ crmSchema: schema });
    })
    .catch(() => undefined)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

interface Option {
  value: string;
  label: string;
  group?: string;
  aliases: string[];
}

function crmOptions(kind: string, crm: CrmSchema | null, pipeline: unknown): Option[] {
  if (!crm) return [];
  if (kind === 'objectType') return crm.objectTypes.map((t) => ({ value: t.slug, label: t.name, aliases: [t.id, t.name.toLowerCase()] }));
  if (kind === 'pipeline') return crm.pipelines.map((p) => ({ value: p.slug, label: p.name, aliases: [p.id, p.name.toLowerCase()] }));
  if (kind === 'tag') return crm.tags.map((t) => ({ value: t, label: t, aliases: [t.toLowerCase()] }));
  const chosen =
    typeof pipeline === 'string' && pipeline
      ? crm.pipelines.filter((p) => p.slug === pipeline || p.id === pipeline || p.name.toLowerCase() === pipeline.toLowerCase())
      : [];
  const pipelines = chosen.length ? chosen : crm.pipelines;
  return pipelines.flatMap((p) =>
    p.stages.map((s) => ({
      value: s.slug,
      label: s.name,
      group: pipelines.length > 1 ? p.name : undefined,
      aliases: [s.id, s.name.toLowerCase()],
    })),
  );
}

function emptyLabel(required: boolean, help: string): string {
  if (required) return 'Choose…';
  if (/leave empty to keep|only needed/i.test(help)) return 'Keep as it is';
  if (/leave empty for (any|every)/i.test(help) || /\bany\b/i.test(help)) return 'Any';
  return 'None';
}

const FROM_DATA = '__pw_from_data__';

/** A list loaded live from the CRM (object types, pipelines, stages, tags), or data from an earlier step. */
function CrmSelect(props: {
  id: string;
  kind: string;
  value: string;
  onChange(value: string): void;
  required: boolean;
  help: string;
  label: string;
  pipeline: unknown;
  invalid: boolean;
}) {
  const crm = useCrmSchema();
  const [fromData, setFromData] = useState(() => hasTemplate(props.value));
  const options = useMemo(() => crmOptions(props.kind, crm, props.pipeline), [props.kind, crm, props.pipeline]);
  if (fromData || hasTemplate(props.value)) {
    return (
      <div className="pw-ed-stack">
        <TemplateField id={props.id} label={props.label} value={props.value} onChange={props.onChange} invalid={props.invalid} />
        <button
          type="button"
          className="pw-ed-link"
          onClick={() => {
            setFromData(false);
            props.onChange('');
          }}
        >
          Choose from the list instead
        </button>
      </div>
    );
  }
  const lower = props.value.toLowerCase();
  const match = options.find((o) => o.value === props.value || o.aliases.includes(props.value) || o.aliases.includes(lower));
  const groups = [...new Set(options.map((o) => o.group))];
  const render = (list: Option[]) =>
    list.map((o) => (
      <option key={`${o.group}:${o.value}`} value={o.value}>
        {o.label}
      </option>
    ));
  return (
    <select
      id={props.id}
      className="pw-select"
      value={match?.value ?? props.value}
      aria-invalid={props.invalid || undefined}
      onFocus={() => void refreshCrmSchema()}
      onChange={(e) => {
        if (e.target.value === FROM_DATA) setFromData(true);
        else props.onChange(e.target.value);
      }}
    >
      <option value="">{crm ? emptyLabel(props.required, props.help) : 'Loading…'}</option>
      {props.value && !match && <option value={props.value}>{props.value}</option>}
      {groups.map((g) =>
        g ? (
          <optgroup key={g} label={g}>
            {render(options.filter((o) => o.group === g))}
          </optgroup>
        ) : (
          render(options.filter((o) => !o.group))
        ),
      )}
      <option value={FROM_DATA}>Use data from an earlier step…</option>
    </select>
  );
}

function asTagList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value === 'string' && !hasTemplate(value))
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}

/** Tags as chips, with the CRM's existing tags suggested. */
function TagsField(props: { id: string; value: unknown; onChange(value: unknown): void; label: string; invalid: boolean }) {
  const crm = useCrmSchema();
  const [draft, setDraft] = useState('');
  const listId = `${props.id}-tags`;
  if (hasTemplate(props.value)) {
    return (
      <TemplateField id={props.id} label={props.label} value={props.value as string} onChange={(v) => props.onChange(v || undefined)} />
    );
  }
  const tags = asTagList(props.value);
  const add = (raw: string) => {
    const fresh = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && !tags.includes(s));
    if (fresh.length) props.onChange([...tags, ...fresh]);
    setDraft('');
  };
  return (
    <div className={`pw-ed-tags${props.invalid ? ' is-invalid' : ''}`}>
      {tags.map((tag) => (
        <span key={tag} className="pw-ed-chip">
          {tag}
          <button
            type="button"
            aria-label={`Remove tag ${tag}`}
            onClick={() => {
              const next = tags.filter((t) => t !== tag);
              props.onChange(next.length ? next : undefined);
            }}
          >
            <X size={12} aria-hidden="true" />
          </button>
        </span>
      ))}
      <input
        id={props.id}
        className="pw-ed-tags__input"
        list={listId}
        value={draft}
        placeholder={tags.length ? 'Add another…' : 'Type a tag and press Enter'}
        onFocus={() => void refreshCrmSchema()}
        onChange={(e) => {
          const v = e.target.value;
          if (v.endsWith(',')) add(v);
          else setDraft(v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(draft);
          } else if (e.key === 'Backspace' && draft === '' && tags.length) {
            const next = tags.slice(0, -1);
            props.onChange(next.length ? next : undefined);
          }
        }}
        onBlur={() => draft && add(draft)}
      />
      <datalist id={listId}>
        {(crm?.tags ?? [])
          .filter((t) => !tags.includes(t))
          .map((t) => (
            <option key={t} value={t} />
          ))}
      </datalist>
    </div>
  );
}

/** Fields and values (e.g. the fields to set on a record). Rows without a name stay in the form until named. */
function KeyValueField(props: { value: unknown; onChange(value: unknown): void; label: string }) {
  const obj = props.value && typeof props.value === 'object' && !Array.isArray(props.value) ? (props.value as Record<string, unknown>) : {};
  const [rows, setRows] = useState(() => Object.entries(obj).map(([k, v], i) => ({ id: i, key: k, value: v })));
  const nextId = useRef(rows.length);
  const lastWritten = useRef(JSON.stringify(obj));
  useEffect(() => {
    const serial = JSON.stringify(obj);
    if (serial === lastWritten.current) return;
    // Changed from outside (undo, paste): show the document's rows.
    lastWritten.current = serial;
    setRows(Object.entries(obj).map(([k, v]) => ({ id: nextId.current++, key: k, value: v })));
  }, [obj]);
  const write = (next: typeof rows) => {
    setRows(next);
    const out: Record<string, unknown> = {};
    for (const r of next) if (r.key.trim()) out[r.key.trim()] = r.value;
    lastWritten.current = JSON.stringify(out);
    props.onChange(Object.keys(out).length ? out : undefined);
  };
  return (
    <div className="pw-ed-kv">
      {rows.length > 0 && (
        <div className="pw-ed-kv__header" aria-hidden="true">
          <span>Name</span>
          <span>Value</span>
        </div>
      )}
      {rows.map((row, i) => (
        <div key={row.id} className="pw-ed-kv__row">
          <input
            className="pw-input"
            aria-label={`${props.label}: name ${i + 1}`}
            placeholder="e.g. phone"
            value={row.key}
            onChange={(e) => write(rows.map((r) => (r.id === row.id ? { ...r, key: e.target.value } : r)))}
          />
          <TemplateField
            id={`kv-${row.id}`}
            label={`${props.label}: value of ${row.key || `row ${i + 1}`}`}
            value={typeof row.value === 'string' ? row.value : row.value === undefined ? '' : JSON.stringify(row.value)}
            onChange={(v) => write(rows.map((r) => (r.id === row.id ? { ...r, value: v } : r)))}
          />
          <button
            type="button"
            className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
            aria-label={`Remove ${row.key || `row ${i + 1}`}`}
            onClick={() => write(rows.filter((r) => r.id !== row.id))}
          >
            <Trash2 size={14} aria-hidden="true" />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="pw-button pw-button--ghost pw-button--sm"
        onClick={() => setRows([...rows, { id: nextId.current++, key: '', value: '' }])}
      >
        <Plus size={14} aria-hidden="true" /> Add a field
      </button>
    </div>
  );
}

const MATCH_LABELS = { all: 'all of these are true', any: 'any of these is true' } as const;

/** The words before "all/any of these are true", by where the conditions are used. */
function conditionLead(path: string, type: string | undefined): string {
  if (path === 'where') return 'Find records when';
  if (/^cases\.\d+\.when$/.test(path)) return 'Take this path when';
  return type === 'logic.if' ? 'Yes when' : 'Continue when';
}

function ConditionsField(props: { value: ConditionGroup | undefined; onChange(value: unknown): void; issues: Issue[]; path: string }) {
  const { nodeId } = usePicker();
  const type = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId)?.type);
  const group: ConditionGroup = props.value && Array.isArray(props.value.conditions) ? props.value : { match: 'all', conditions: [] };
  return (
    <ConditionGroupEditor
      group={group}
      onChange={props.onChange}
      issues={props.issues}
      path={props.path}
      depth={0}
      lead={conditionLead(props.path, type)}
    />
  );
}

function ConditionGroupEditor(props: {
  group: ConditionGroup;
  onChange(value: ConditionGroup | undefined): void;
  issues: Issue[];
  path: string;
  depth: number;
  lead?: string;
  onRemove?: () => void;
}) {
  const { group } = props;
  const set = (conditions: ConditionGroup['conditions']) => props.onChange({ ...group, conditions });
  return (
    <div className={`pw-ed-conditions${props.depth > 0 ? ' is-nested' : ''}`}>
      <div className="pw-ed-conditions__match">
        <span>{props.lead ?? 'When'}</span>
        <select
          className="pw-select pw-select--inline"
          aria-label="Match all or any"
          value={group.match ?? 'all'}
          onChange={(e) => props.onChange({ ...group, match: e.target.value as 'all' | 'any' })}
        >
          <option value="all">{MATCH_LABELS.all}</option>
          <option value="any">{MATCH_LABELS.any}</option>
        </select>
        {props.onRemove && (
          <button
            type="button"
            className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
            aria-label="Remove this group"
            onClick={props.onRemove}
          >
            <Trash2 size={14} aria-hidden="true" />
          </button>
        )}
      </div>
      {group.conditions.map((c, i) => {
        const path = `${props.path}.conditions.${i}`;
        const replace = (next: ConditionRow | ConditionGroup | undefined) =>
          set(next === undefined ? group.conditions.filter((_, j) => j !== i) : group.conditions.map((x, j) => (j === i ? next : x)));
        return isGroup(c) ? (
          <ConditionGroupEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            key={i}
            group={c}
            onChange={replace}
            onRemove={() => replace(undefined)}
            issues={props.issues}
            path={path}
            depth={props.depth + 1}
          />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
          <ConditionRowEditor key={i} row={c} index={i} onChange={replace} issues={issuesFor(props.issues, path)} />
        );
      })}
      <div className="pw-ed-conditions__add">
        <button
          type="button"
          className="pw-button pw-button--ghost pw-button--sm"
          onClick={() => set([...group.conditions, { field: '', operator: 'eq', value: '' }])}
        >
          <Plus size={14} aria-hidden="true" /> Add condition
        </button>
        {props.depth < 2 && (
          <button
            type="button"
            className="pw-button pw-button--ghost pw-button--sm"
            onClick={() => set([...group.conditions, { match: 'any', conditions: [{ field: '', operator: 'eq', value: '' }] }])}
          >
            <Plus size={14} aria-hidden="true" /> Add group
          </button>
        )}
      </div>
    </div>
  );
}

function ConditionRowEditor(props: { row: ConditionRow; index: number; onChange(row: ConditionRow | undefined): void; issues: Issue[] }) {
  const { row } = props;
  const unary = UNARY_OPERATORS.has(row.operator);
  const n = props.index + 1;
  return (
    <div className={`pw-ed-condition${props.issues.length ? ' is-invalid' : ''}`} data-testid={`condition-${props.index}`}>
      <PathField
        value={row.field ?? ''}
        label={`Condition ${n}: field`}
        invalid={props.issues.some((i) => i.field?.endsWith('.field'))}
        onChange={(field) => props.onChange({ ...row, field })}
      />
      <select
        className="pw-select"
        aria-label={`Condition ${n}: operator`}
        value={row.operator}
        onChange={(e) => {
          const operator = e.target.value as Operator;
          const next: ConditionRow = { ...row, operator };
          if (UNARY_OPERATORS.has(operator)) delete next.value;
          props.onChange(next);
        }}
      >
        {(Object.keys(OPERATORS) as Operator[]).map((op) => (
          <option key={op} value={op}>
            {OPERATORS[op]}
          </option>
        ))}
      </select>
      {!unary ? (
        <TemplateField
          id={`cond-${props.index}-${row.field}`}
          label={`Condition ${n}: value`}
          placeholder={row.operator === 'in' || row.operator === 'nin' ? 'a, b, c' : 'Value'}
          value={typeof row.value === 'string' ? row.value : row.value === undefined || row.value === null ? '' : String(row.value)}
          onChange={(value) => props.onChange({ ...row, value })}
        />
      ) : (
        <span />
      )}
      <button
        type="button"
        className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
        aria-label={`Remove condition ${n}`}
        onClick={() => props.onChange(undefined)}
      >
        <Trash2 size={14} aria-hidden="true" />
      </button>
      {props.issues.map((issue) => (
        <p key={issue.message} className="pw-field-error pw-ed-condition__error" role="alert">
          {inlineMessage(issue)}
        </p>
      ))}
    </div>
  );
}

/** Quick dates: a fixed day, or a number of days after the run starts. */
function DateHelper(props: { onPick(value: string): void }) {
  const [open, setOpen] = useState(false);
  const [days, setDays] = useState(2);
  const [unit, setUnit] = useState('days');
  const [fixed, setFixed] = useState('');
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button type="button" className="pw-ed-data-button" aria-label="Choose a date" title="Choose a date">
          <CalendarDays size={12} aria-hidden="true" /> Date
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="pw-ed-popover pw-ed-date" side="bottom" align="end" sideOffset={6}>
          <p className="pw-ed-date__title">Relative to when the run starts</p>
          <div className="pw-ed-date__row">
            <input
              className="pw-input pw-input--number"
              type="number"
              min={0}
              aria-label="How many"
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
            />
            <select className="pw-select" aria-label="Unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
              <option value="days">days after</option>
              <option value="weeks">weeks after</option>
              <option value="hours">hours after</option>
            </select>
            <button
              type="button"
              className="pw-button pw-button--sm"
              onClick={() => {
                props.onPick(`{{ run.startedAt | date_add: ${days}, '${unit}' | date: '%Y-%m-%d' }}`);
                setOpen(false);
              }}
            >
              Use
            </button>
          </div>
          <p className="pw-ed-date__title">Or a fixed date</p>
          <div className="pw-ed-date__row">
            <input className="pw-input" type="date" aria-label="Fixed date" value={fixed} onChange={(e) => setFixed(e.target.value)} />
            <button
              type="button"
              className="pw-button pw-button--sm"
              disabled={!fixed}
              onClick={() => {
                props.onPick(fixed);
                setOpen(false);
              }}
            >
              Use
            </button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
