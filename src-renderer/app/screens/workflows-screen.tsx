import { Copy, Database, History, LayoutTemplate, Pencil, Plus, Share2, Trash2, TriangleAlert, Workflow } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { Issue, WorkflowSummary } from '../../../src-main/shared/contract.ts';
import {
  ActionMenu,
  Banner,
  Button,
  ConfirmDialog,
  columnHelper,
  DataTable,
  Dialog,
  EmptyState,
  formatDateTime,
  formatRelative,
  LoadingBlock,
  PageHeader,
  plural,
  SearchInput,
  StatusBadge,
  Tooltip,
  toast,
  triggerProblem,
} from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { href, navigate, setQuery, workflowHref } from '../router.ts';
import { reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';
import { ExportTemplateDialog } from './templates-export.tsx';

const col = columnHelper<WorkflowSummary>();

interface Actions {
  toggleLive(workflow: WorkflowSummary, live: boolean): Promise<void>;
  duplicate(workflow: WorkflowSummary): void;
  askDelete(workflow: WorkflowSummary): void;
  exportTemplate(workflow: WorkflowSummary): void;
  busyId: string | null;
}

function LiveSwitch({ workflow, actions }: { workflow: WorkflowSummary; actions: Actions }) {
  const live = workflow.status === 'live';
  return (
    <div className="pw-live-toggle">
      <Tooltip content={live ? 'Turn off: stop reacting to new events' : 'Turn on: start reacting to new events'}>
        <button
          type="button"
          role="switch"
          className="pw-switch"
          aria-checked={live}
          aria-label={`Live: ${workflow.name}`}
          disabled={actions.busyId === workflow.id}
          onClick={() => void actions.toggleLive(workflow, !live)}
        />
      </Tooltip>
      <StatusBadge status={workflow.status} />
    </div>
  );
}

/** The status, and under it why Pipewright paused the workflow or what keeps its trigger from receiving events. */
function StatusCell({ workflow, actions }: { workflow: WorkflowSummary; actions: Actions }) {
  const problems = workflow.triggers.flatMap((hook) => {
    const problem = triggerProblem(hook);
    return problem ? [{ key: hook.nodeId, text: `${hook.appName}: ${problem}` }] : [];
  });
  return (
    <div className="pw-status-cell">
      <LiveSwitch workflow={workflow} actions={actions} />
      {workflow.status === 'paused' && workflow.pausedReason && (
        <div className="pw-status-note" title={workflow.pausedReason} data-testid="paused-reason">
          <span className="pw-status-note__text">{workflow.pausedReason}</span>
        </div>
      )}
      {problems.map((p) => (
        <div key={p.key} className="pw-status-note pw-status-note--warning" title={p.text} data-testid="trigger-problem">
          <TriangleAlert size={13} aria-hidden="true" />
          <span className="pw-status-note__text">{p.text}</span>
        </div>
      ))}
    </div>
  );
}

function buildColumns(actions: Actions) {
  return [
    col.accessor('name', {
      header: 'Name',
      sortFn: 'text',
      cell: ({ row }) => (
        <div style={{ minWidth: 220 }}>
          <a className="pw-cell-title" href={workflowHref(row.original.id)}>
            {row.original.name}
          </a>
          {row.original.description && (
            <div className="pw-cell-sub pw-clamp" title={row.original.description}>
              {row.original.description}
            </div>
          )}
        </div>
      ),
    }),
    col.accessor('status', {
      header: 'Status',
      cell: ({ row }) => <StatusCell workflow={row.original} actions={actions} />,
    }),
    col.accessor((w) => w.lastRunAt ?? '', {
      id: 'lastRun',
      header: 'Last run',
      sortFn: 'text',
      cell: ({ row }) => {
        const w = row.original;
        if (!w.lastRunAt) return <span className="pw-muted">Never run</span>;
        return (
          <a
            className="pw-last-run"
            href={href('runs', { workflow: w.id })}
            title={formatDateTime(w.lastRunAt)}
            style={{ color: 'inherit' }}
          >
            <span>{formatRelative(w.lastRunAt)}</span>
            {w.lastRunStatus && <StatusBadge status={w.lastRunStatus} withHint={false} />}
          </a>
        );
      },
    }),
    col.accessor('errorCount', {
      header: 'Errors',
      cell: ({ row }) => {
        const n = row.original.errorCount;
        if (!n) return <span className="pw-zero">0</span>;
        return (
          <a className="pw-error-count" href={href('runs', { workflow: row.original.id, status: 'failed' })} title="Show the failed runs">
            {n}
          </a>
        );
      },
      meta: { className: 'pw-col-num' },
    }),
    col.accessor('updatedAt', {
      header: 'Updated',
      sortFn: 'text',
      cell: ({ getValue }) => (
        <span className="pw-muted pw-nowrap" title={formatDateTime(getValue())}>
          {formatRelative(getValue())}
        </span>
      ),
    }),
    col.display({
      id: 'actions',
      header: () => <span className="pw-sr-only">Actions</span>,
      cell: ({ row }) => {
        const w = row.original;
        return (
          <div className="pw-row-actions">
            <Button
              size="sm"
              variant="ghost"
              icon={<Pencil size={14} />}
              onClick={() => navigate(workflowHref(w.id))}
              aria-label={`Edit ${w.name}`}
            >
              Edit
            </Button>
            <ActionMenu
              label={`More actions for ${w.name}`}
              items={[
                { label: 'Duplicate', icon: <Copy size={15} />, onSelect: () => actions.duplicate(w) },
                { label: 'View runs', icon: <History size={15} />, onSelect: () => navigate(href('runs', { workflow: w.id })) },
                { label: 'Export as template…', icon: <Share2 size={15} />, onSelect: () => actions.exportTemplate(w) },
                { label: 'Delete…', icon: <Trash2 size={15} />, danger: true, separatorBefore: true, onSelect: () => actions.askDelete(w) },
              ]}
            />
          </div>
        );
      },
      meta: { className: 'pw-col-actions' },
    }),
  ];
}

export function IssuesList({ issues }: { issues: readonly Issue[] }) {
  return (
    <ul className="pw-issue-list" aria-label="Problems to fix">
      {issues.map((issue, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: issues have no id and never reorder while shown.
        <li key={i}>{issue.message}</li>
      ))}
    </ul>
  );
}

export function WorkflowsScreen({ search }: { search: string }) {
  const query = useRpc('workflows.list', search ? { search } : {}, { refreshOn: ['workflows.changed', 'run.updated'], keepPrevious: true });
  const [busyId, setBusyId] = useState<string | null>(null);
  const [refused, setRefused] = useState<{ workflow: WorkflowSummary; issues: Issue[] } | null>(null);
  const [deleting, setDeleting] = useState<WorkflowSummary | null>(null);
  const [exporting, setExporting] = useState<WorkflowSummary | null>(null);
  const { reload } = query;

  const actions = useMemo<Actions>(() => {
    const setLive = async (workflow: WorkflowSummary, live: boolean, undoable: boolean) => {
      setBusyId(workflow.id);
      try {
        const result = await rpc.call('workflows.setLive', { id: workflow.id, live });
        if (!result.ok) {
          setRefused({ workflow, issues: result.issues });
          return;
        }
        const undo = undoable ? { label: 'Undo', onClick: () => void setLive(workflow, !live, false) } : undefined;
        if (live)
          toast.success(`"${workflow.name}" is live`, {
            description: 'It now runs on its own whenever its trigger happens.',
            action: undo,
          });
        else toast.success(`"${workflow.name}" is turned off`, { description: 'It no longer reacts to new events.', action: undo });
      } catch (err) {
        reportError(live ? `Could not turn on "${workflow.name}"` : `Could not turn off "${workflow.name}"`, err);
      } finally {
        setBusyId(null);
        await reload();
      }
    };
    return {
      busyId,
      toggleLive: (workflow, live) => setLive(workflow, live, true),
      duplicate: async (workflow) => {
        try {
          const copy = await rpc.call('workflows.duplicate', { id: workflow.id });
          toast.success(`Duplicated as "${copy.name}"`, {
            description: 'The copy is a draft, so it does not run until you turn it on.',
            action: { label: 'Open', onClick: () => navigate(workflowHref(copy.id)) },
          });
          await reload();
        } catch (err) {
          reportError(`Could not duplicate "${workflow.name}"`, err);
        }
      },
      askDelete: (workflow) => setDeleting(workflow),
      exportTemplate: (workflow) => setExporting(workflow),
    };
  }, [busyId, reload]);

  const columns = useMemo(() => buildColumns(actions), [actions]);

  const deleteWorkflow = async (workflow: WorkflowSummary) => {
    let document: unknown;
    try {
      // Kept so "Undo" can save it back.
      document = (await rpc.call('workflows.get', { id: workflow.id })).document;
      await rpc.call('workflows.delete', { id: workflow.id });
    } catch (err) {
      reportError(`Could not delete "${workflow.name}"`, err);
      throw err;
    }
    toast.success(`Deleted "${workflow.name}"`, {
      action: {
        label: 'Undo',
        onClick: async () => {
          try {
            const result = await rpc.call('workflows.save', { document, note: 'Restored after delete' });
            if (result.ok) toast.info(`Restored "${workflow.name}" as a draft`);
            else toast.error(`Could not restore "${workflow.name}"`, { description: result.issues.map((i) => i.message).join(' ') });
          } catch (err) {
            reportError(`Could not restore "${workflow.name}"`, err);
          }
          await reload();
        },
      },
    });
    await reload();
  };

  const workflows = query.data ?? [];
  const liveCount = workflows.filter((w) => w.status === 'live').length;
  const firstUse = !search && query.data !== undefined && workflows.length === 0;

  return (
    <div className="pw-page">
      <PageHeader
        title="Workflows"
        description="Automations that react to your CRM: when something happens, they do the follow-up for you."
        actions={
          <>
            <Button icon={<LayoutTemplate size={16} />} onClick={() => navigate('#/templates')}>
              Start from a template
            </Button>
            <Button variant="primary" icon={<Plus size={16} />} onClick={() => navigate('#/workflows/new')}>
              New workflow
            </Button>
          </>
        }
      />

      {query.error && !query.data && (
        <Banner tone="danger" title="The workflows could not be loaded">
          {query.error}
        </Banner>
      )}

      {query.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading workflows…" />
        </div>
      ) : firstUse ? (
        <div className="pw-card">
          <EmptyState
            icon={<Workflow size={26} />}
            title="Build your first automation"
            description="A workflow starts when something happens in your CRM, like a new lead, and then does the follow-up for you: add a task, tag the contact, move the deal to the next stage. You can test it safely before turning it on."
            actions={
              <>
                <Button variant="primary" icon={<Plus size={16} />} onClick={() => navigate('#/workflows/new')}>
                  New workflow
                </Button>
                <Button icon={<LayoutTemplate size={16} />} onClick={() => navigate('#/templates')}>
                  Start from a template
                </Button>
                <Button icon={<Database size={16} />} onClick={() => navigate('#/crm')}>
                  Look at your CRM data
                </Button>
              </>
            }
          >
            <p className="pw-field-help">Have a template file someone shared? Drop it anywhere on this window to import it.</p>
          </EmptyState>
        </div>
      ) : (
        <>
          <div className="pw-toolbar" style={{ alignItems: 'center' }}>
            <SearchInput
              label="Search workflows"
              placeholder="Search by name"
              value={search}
              onChange={(value) => setQuery({ q: value })}
            />
            <div className="pw-toolbar-spacer" />
            <span className="pw-muted" aria-live="polite">
              {plural(workflows.length, 'workflow')} · {liveCount} live
            </span>
          </div>
          <DataTable
            label="Workflows"
            data={workflows}
            columns={columns}
            getRowId={(w) => w.id}
            onRowClick={(w) => navigate(workflowHref(w.id))}
            initialSorting={[{ id: 'updatedAt', desc: true }]}
            empty={
              <EmptyState
                compact
                title={`No workflows match "${search}"`}
                description="Check the spelling, or clear the search to see every workflow."
                actions={<Button onClick={() => setQuery({ q: null })}>Clear search</Button>}
              />
            }
          />
        </>
      )}

      <Dialog
        open={refused !== null}
        onOpenChange={(open) => !open && setRefused(null)}
        title={refused ? `"${refused.workflow.name}" can't go live yet` : ''}
        description="Fix these problems in the editor, then turn it on again."
        width={520}
        footer={
          <>
            <Button onClick={() => setRefused(null)}>Close</Button>
            <Button
              variant="primary"
              icon={<Pencil size={16} />}
              onClick={() => {
                const id = refused?.workflow.id;
                setRefused(null);
                if (id) navigate(workflowHref(id));
              }}
            >
              Open in editor
            </Button>
          </>
        }
      >
        {refused && <IssuesList issues={refused.issues} />}
      </Dialog>

      {exporting && (
        <ExportTemplateDialog workflowId={exporting.id} name={exporting.name} open onOpenChange={(open) => !open && setExporting(null)} />
      )}

      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={deleting ? `Delete "${deleting.name}"?` : ''}
        description={
          deleting?.status === 'live'
            ? 'This workflow is live: it stops running now and is removed with its version history. Its past runs stay in the run history.'
            : 'The workflow is removed with its version history. Its past runs stay in the run history.'
        }
        confirmLabel="Delete workflow"
        onConfirm={() => (deleting ? deleteWorkflow(deleting) : undefined)}
      />
    </div>
  );
}
