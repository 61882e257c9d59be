import { FilterX, History } from 'lucide-react';
import { useMemo } from 'react';
import type { MethodInput, MethodOutput } from '../../../src-main/shared/contract.ts';
import {
  Banner,
  Button,
  columnHelper,
  DataTable,
  durationBetween,
  EmptyState,
  formatDateTime,
  formatDuration,
  formatRelative,
  LoadingBlock,
  PageHeader,
  plural,
  SelectField,
  StatusBadge,
  TestRunBadge,
} from '../../components/index.ts';
import { navigate, runHref, setQuery } from '../router.ts';
import { useRpc } from '../use-rpc.ts';

type RunRow = MethodOutput<'runs.list'>[number];
type RunStatus = NonNullable<MethodInput<'runs.list'>['status']>;
type RunMode = NonNullable<MethodInput<'runs.list'>['mode']>;

const PAGE = 50;

const STATUS_OPTIONS: { value: RunStatus; label: string }[] = [
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'needs_review', label: 'Needs review' },
  { value: 'running', label: 'Running' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'queued', label: 'Queued' },
  { value: 'cancelled', label: 'Cancelled' },
];

const MODE_OPTIONS: { value: RunMode; label: string }[] = [
  { value: 'live', label: 'Live runs' },
  { value: 'test', label: 'Test runs' },
];

const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

const col = columnHelper<RunRow>();

const columns = [
  col.accessor('status', {
    header: 'Status',
    cell: ({ row }) => <StatusBadge status={row.original.status} />,
    meta: { width: '150px' },
  }),
  col.accessor('workflowName', {
    header: 'Workflow',
    sortFn: 'text',
    cell: ({ row }) => (
      <div style={{ display: 'flex', alignItems: 'center', gap: 'var(--pw-space-2)', minWidth: 0 }}>
        <a className="pw-cell-title" href={runHref(row.original.runId)}>
          {row.original.workflowName}
        </a>
        {row.original.dryRun && <TestRunBadge />}
      </div>
    ),
  }),
  col.accessor('startedAt', {
    header: 'Started',
    sortFn: 'text',
    cell: ({ getValue }) => (
      <span className="pw-nowrap" title={formatDateTime(getValue(), true)}>
        {formatRelative(getValue())}
      </span>
    ),
    meta: { width: '150px' },
  }),
  col.accessor((r) => durationBetween(r.startedAt, r.finishedAt) ?? -1, {
    id: 'duration',
    header: 'Duration',
    cell: ({ row }) => {
      const ms = durationBetween(row.original.startedAt, row.original.finishedAt);
      return <span className="pw-muted">{ms === null ? 'In progress' : formatDuration(ms)}</span>;
    },
    meta: { className: 'pw-col-num', width: '120px' },
  }),
  col.accessor('error', {
    header: 'Problem',
    enableSorting: false,
    cell: ({ getValue }) => {
      const error = getValue();
      return error ? (
        <span className="pw-clamp-2" title={error} style={{ color: 'var(--pw-danger-text)' }}>
          {error}
        </span>
      ) : (
        <span className="pw-zero">—</span>
      );
    },
  }),
];

export interface RunsFilters {
  workflow: string;
  status: string;
  mode: string;
  range: string;
  limit: number;
}

export function readRunsFilters(query: URLSearchParams): RunsFilters {
  return {
    workflow: query.get('workflow') ?? '',
    status: query.get('status') ?? '',
    mode: query.get('mode') ?? '',
    range: query.get('range') ?? '',
    limit: Math.min(500, Math.max(PAGE, Number(query.get('limit')) || PAGE)),
  };
}

export function RunsScreen({ filters }: { filters: RunsFilters }) {
  const workflows = useRpc('workflows.list', {}, { refreshOn: ['workflows.changed'] });
  const range = RANGES.find((r) => r.value === filters.range);
  // Rounded to the minute so the query stays stable between renders.
  const since = range ? new Date(Math.floor((Date.now() - range.ms) / 60_000) * 60_000).toISOString() : undefined;
  const input: MethodInput<'runs.list'> = {
    limit: filters.limit,
    ...(filters.workflow ? { workflowId: filters.workflow } : {}),
    ...(filters.status ? { status: filters.status as RunStatus } : {}),
    ...(filters.mode ? { mode: filters.mode as RunMode } : {}),
    ...(since ? { since } : {}),
  };
  const runs = useRpc('runs.list', input, { refreshOn: ['run.updated'], keepPrevious: true });

  const workflowOptions = useMemo(() => {
    const options = (workflows.data ?? []).map((w) => ({ value: w.id, label: w.name }));
    // A filter from a link may name a workflow that was deleted since; keep it selectable.
    if (filters.workflow && !options.some((o) => o.value === filters.workflow))
      options.push({ value: filters.workflow, label: filters.workflow });
    return options.sort((a, b) => a.label.localeCompare(b.label));
  }, [workflows.data, filters.workflow]);

  const filtered = Boolean(filters.workflow || filters.status || filters.mode || filters.range);
  const rows = runs.data ?? [];
  const clear = () => setQuery({ workflow: null, status: null, mode: null, range: null, limit: null });

  return (
    <div className="pw-page">
      <PageHeader
        title="Runs"
        description="Every time a workflow ran, live or as a test: what it did, step by step. New runs appear here as they happen."
      />

      <div className="pw-toolbar">
        <SelectField
          label="Workflow"
          value={filters.workflow}
          onChange={(e) => setQuery({ workflow: e.target.value, limit: null })}
          options={workflowOptions}
          placeholder="All workflows"
        />
        <SelectField
          label="Status"
          value={filters.status}
          onChange={(e) => setQuery({ status: e.target.value, limit: null })}
          options={STATUS_OPTIONS}
          placeholder="Any status"
        />
        <SelectField
          label="Mode"
          value={filters.mode}
          onChange={(e) => setQuery({ mode: e.target.value, limit: null })}
          options={MODE_OPTIONS}
          placeholder="Live and test"
        />
        <SelectField
          label="Time"
          value={filters.range}
          onChange={(e) => setQuery({ range: e.target.value, limit: null })}
          options={RANGES.map((r) => ({ value: r.value, label: r.label }))}
          placeholder="Any time"
        />
        {filtered && (
          <Button variant="ghost" icon={<FilterX size={16} />} onClick={clear}>
            Clear filters
          </Button>
        )}
      </div>

      {runs.error && (
        <Banner tone="danger" title="The runs could not be loaded">
          {runs.error}
        </Banner>
      )}

      {runs.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading runs…" />
        </div>
      ) : rows.length === 0 && !filtered ? (
        <div className="pw-card">
          <EmptyState
            icon={<History size={26} />}
            title="No runs yet"
            description="When a live workflow reacts to an event, or you test a workflow in the editor, the run shows up here with every step it took."
            actions={<Button onClick={() => navigate('#/workflows')}>Go to workflows</Button>}
          />
        </div>
      ) : (
        <DataTable
          label="Runs"
          data={rows}
          columns={columns}
          getRowId={(r) => r.runId}
          onRowClick={(r) => navigate(runHref(r.runId))}
          empty={
            <EmptyState
              compact
              title="No runs match these filters"
              description="Try a longer time range or another status."
              actions={<Button onClick={clear}>Clear filters</Button>}
            />
          }
          footer={
            rows.length > 0 ? (
              <>
                <span>
                  Showing {plural(rows.length, 'run')}
                  {rows.length >= filters.limit ? ', newest first' : ''}
                </span>
                {rows.length >= filters.limit && filters.limit < 500 && (
                  <Button size="sm" onClick={() => setQuery({ limit: String(filters.limit + PAGE) })}>
                    Show more
                  </Button>
                )}
              </>
            ) : undefined
          }
        />
      )}
    </div>
  );
}
