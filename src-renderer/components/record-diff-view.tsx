import { ArrowRight } from 'lucide-react';
import { useState } from 'react';
import type { FieldChange, RecordDiff } from '../../src-main/shared/runs.ts';
import { Button } from './button.tsx';
import { formatValue, humanize } from './format.ts';

export interface RecordDiffViewProps {
  /** One entry per CRM row (RunResult.changes, or StepResult.changes). */
  changes: readonly RecordDiff[];
  /** Shown when there are no changes. */
  emptyText?: string;
}

const OPS = {
  create: { label: 'Create', badge: 'pw-badge--success' },
  update: { label: 'Update', badge: 'pw-badge--info' },
  delete: { label: 'Delete', badge: 'pw-badge--danger' },
} as const;

const ENTITY_LABELS: Record<string, string> = {
  record: 'Record',
  contact: 'Contact',
  company: 'Company',
  task: 'Task',
  note: 'Note',
  activity: 'Activity',
  form_submission: 'Form submission',
};

/** Ids and timestamps mean little to an operator; they are one click away. */
function isTechnical(field: string): boolean {
  return field === 'id' || field.endsWith('_id') || field.endsWith('_at') || field === 'workspace_id';
}

function fieldLabel(field: string): string {
  return humanize(field.startsWith('data.') ? field.slice(5) : field);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Fields to show for one diff: for a create, those that get a value; for a delete, those it had. */
function relevantFields(diff: RecordDiff): FieldChange[] {
  if (diff.op === 'create') return diff.fields.filter((f) => !isEmpty(f.after));
  if (diff.op === 'delete') {
    const fromRow = diff.before
      ? Object.entries(diff.before).flatMap(([field, value]): FieldChange[] =>
          field === 'data' && value && typeof value === 'object' && !Array.isArray(value)
            ? Object.entries(value).map(([k, v]) => ({ field: `data.${k}`, before: v, after: null }))
            : [{ field, before: value, after: null }],
        )
      : diff.fields;
    return fromRow.filter((f) => !isEmpty(f.before));
  }
  return diff.fields;
}

function Value({ value, side }: { value: unknown; side: 'before' | 'after' }) {
  if (isEmpty(value)) return <span className={`pw-diff-${side}--empty`}>empty</span>;
  return <span>{formatValue(value)}</span>;
}

function DiffCard({ diff }: { diff: RecordDiff }) {
  const [showAll, setShowAll] = useState(false);
  const fields = relevantFields(diff);
  const main = fields.filter((f) => !isTechnical(f.field));
  const technical = fields.filter((f) => isTechnical(f.field));
  const visible = showAll || main.length === 0 ? fields : main;
  const op = OPS[diff.op];
  const entity = ENTITY_LABELS[diff.entity] ?? humanize(diff.entity);
  return (
    <article className="pw-diff" aria-label={`${op.label} ${entity.toLowerCase()} ${diff.label ?? ''}`.trim()}>
      <header className="pw-diff-header">
        <span className={`pw-badge ${op.badge} pw-diff-op`}>{op.label}</span>
        <span className="pw-diff-entity">{entity}</span>
        <span className="pw-diff-label" title={diff.label ?? diff.id}>
          {diff.label || diff.id}
        </span>
      </header>
      {visible.length > 0 && (
        <table className="pw-diff-table">
          <tbody>
            {visible.map((f) => (
              <tr key={f.field}>
                <td className="pw-diff-field" title={f.field}>
                  {fieldLabel(f.field)}
                </td>
                {diff.op === 'update' ? (
                  <>
                    <td className={isEmpty(f.before) ? 'pw-diff-before--empty' : 'pw-diff-before'}>
                      <Value value={f.before} side="before" />
                    </td>
                    <td className="pw-diff-arrow" aria-label="becomes">
                      <ArrowRight size={14} aria-hidden="true" />
                    </td>
                    <td className={isEmpty(f.after) ? 'pw-diff-after--empty' : 'pw-diff-after'}>
                      <Value value={f.after} side="after" />
                    </td>
                  </>
                ) : diff.op === 'create' ? (
                  <td className="pw-diff-after" colSpan={3}>
                    <Value value={f.after} side="after" />
                  </td>
                ) : (
                  <td className="pw-diff-before" colSpan={3}>
                    <s>
                      <Value value={f.before} side="before" />
                    </s>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {visible.length === 0 && (
        <p className="pw-diff-note">
          {diff.op === 'create' ? `${entity} created.` : diff.op === 'delete' ? `${entity} deleted.` : 'No field changed.'}
        </p>
      )}
      {main.length > 0 && technical.length > 0 && (
        <div className="pw-diff-more">
          <Button variant="ghost" size="sm" onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Hide ids and timestamps' : `Show ids and timestamps (${technical.length})`}
          </Button>
        </div>
      )}
    </article>
  );
}

/**
 * CRM changes as before → after per field, one card per row, with creates and deletes marked.
 * Used by the run detail (planned changes of a test run, changes made by a live run) and by the
 * editor's test panel.
 */
export function RecordDiffView({ changes, emptyText = 'No CRM records would change.' }: RecordDiffViewProps) {
  if (changes.length === 0) return <p className="pw-muted">{emptyText}</p>;
  return (
    <div className="pw-diff-list">
      {changes.map((diff) => (
        <DiffCard key={`${diff.entity}:${diff.id}:${diff.op}`} diff={diff} />
      ))}
    </div>
  );
}
