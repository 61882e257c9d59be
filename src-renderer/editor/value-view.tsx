import { useState } from 'react';
import { humanize } from './templates.ts';

/** Data shown as labelled rows rather than JSON: what operators read in test results. */

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function formatScalar(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(formatScalar).join(', ');
  if (isObject(value)) return `${Object.keys(value).length} fields`;
  return String(value);
}

function isFlat(v: unknown): boolean {
  return !isObject(v) && !(Array.isArray(v) && v.some((x) => isObject(x) || Array.isArray(x)));
}

export function ValueView(props: { value: unknown; depth?: number; limit?: number }) {
  const depth = props.depth ?? 0;
  const [expanded, setExpanded] = useState(false);
  const { value } = props;
  if (isFlat(value)) return <span className="pw-ed-value__scalar">{formatScalar(value)}</span>;
  if (Array.isArray(value)) {
    const shown = expanded ? value : value.slice(0, 3);
    return (
      <ol className="pw-ed-value__list">
        {shown.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items are shown in order and never reordered
          <li key={i}>
            <ValueView value={item} depth={depth + 1} />
          </li>
        ))}
        {value.length > 3 && (
          <li>
            <button type="button" className="pw-ed-link" onClick={() => setExpanded(!expanded)}>
              {expanded ? 'Show fewer' : `Show all ${value.length}`}
            </button>
          </li>
        )}
      </ol>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="pw-ed-value__scalar">—</span>;
  const limit = props.limit ?? 12;
  const shown = expanded ? entries : entries.slice(0, limit);
  return (
    <dl className={`pw-ed-value${depth ? ' is-nested' : ''}`}>
      {shown.map(([k, v]) => (
        <div key={k} className="pw-ed-value__row">
          <dt>{humanize(k)}</dt>
          <dd>{depth > 3 ? formatScalar(v) : <ValueView value={v} depth={depth + 1} />}</dd>
        </div>
      ))}
      {entries.length > limit && (
        <button type="button" className="pw-ed-link" onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show fewer' : `Show all ${entries.length} fields`}
        </button>
      )}
    </dl>
  );
}
