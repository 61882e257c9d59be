import { ChevronDown, ChevronRight } from 'lucide-react';
import { type ReactNode, useState } from 'react';

export interface JsonViewProps {
  value: unknown;
  /** Accessible name of the tree, e.g. "Step output". */
  label?: string;
  /** Levels open at first (default 2); deeper objects start collapsed. */
  expandDepth?: number;
  /** Shown when `value` is undefined. */
  emptyText?: string;
}

/** A collapsible, read-only view of JSON data (step input and output, events). */
export function JsonView({ value, label = 'Data', expandDepth = 2, emptyText = 'Nothing' }: JsonViewProps) {
  if (value === undefined) {
    return (
      <figure className="pw-json" aria-label={label}>
        <span className="pw-json-empty">{emptyText}</span>
      </figure>
    );
  }
  return (
    <figure className="pw-json" aria-label={label}>
      <JsonNode name={null} value={value} depth={0} expandDepth={expandDepth} last />
    </figure>
  );
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function Primitive({ value }: { value: unknown }) {
  if (value === null) return <span className="pw-json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="pw-json-string">"{value}"</span>;
    case 'number':
      return <span className="pw-json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="pw-json-bool">{String(value)}</span>;
    default:
      return <span className="pw-json-null">{String(value)}</span>;
  }
}

interface NodeProps {
  name: string | null;
  value: unknown;
  depth: number;
  expandDepth: number;
  last: boolean;
}

function JsonNode({ name, value, depth, expandDepth, last }: NodeProps) {
  const [open, setOpen] = useState(depth < expandDepth);
  const key: ReactNode = name !== null && (
    <>
      <span className="pw-json-key">{name}</span>
      <span>:&nbsp;</span>
    </>
  );
  const comma = last ? '' : ',';

  if (!isContainer(value)) {
    return (
      <div className="pw-json-row">
        <span className="pw-json-spacer" />
        {key}
        <Primitive value={value} />
        {comma}
      </div>
    );
  }

  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [openBrace, closeBrace] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className="pw-json-row">
        <span className="pw-json-spacer" />
        {key}
        <span>
          {openBrace}
          {closeBrace}
        </span>
        {comma}
      </div>
    );
  }
  const summary = isArray
    ? `${entries.length} item${entries.length === 1 ? '' : 's'}`
    : `${entries.length} field${entries.length === 1 ? '' : 's'}`;
  return (
    <div>
      <div className="pw-json-row">
        <button
          type="button"
          className="pw-json-toggle"
          onClick={() => setOpen(!open)}
          aria-label={`${open ? 'Collapse' : 'Expand'} ${name ?? 'value'}`}
        >
          {open ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronRight size={14} aria-hidden="true" />}
        </button>
        {key}
        <span>{openBrace}</span>
        {!open && (
          <>
            <button type="button" className="pw-json-toggle pw-json-summary" onClick={() => setOpen(true)} tabIndex={-1}>
              &nbsp;{summary}&nbsp;
            </button>
            <span>{closeBrace}</span>
            {comma}
          </>
        )}
      </div>
      {open && (
        <>
          <div className="pw-json-children">
            {entries.map(([k, v], i) => (
              <JsonNode
                key={k}
                name={isArray ? null : k}
                value={v}
                depth={depth + 1}
                expandDepth={expandDepth}
                last={i === entries.length - 1}
              />
            ))}
          </div>
          <div className="pw-json-row">
            <span className="pw-json-spacer" />
            {closeBrace}
            {comma}
          </div>
        </>
      )}
    </div>
  );
}
