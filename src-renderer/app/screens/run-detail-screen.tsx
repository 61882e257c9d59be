import { Check, ChevronDown, ChevronRight, Hourglass, LoaderCircle, Minus, Pencil, RotateCcw, RotateCw, Send, X } from 'lucide-react';
import { type ReactNode, useEffect, useState } from 'react';
import type { PlannedHttpRequest, RecordDiff, RunResult, StepResult } from '../../../src-main/shared/runs.ts';
import {
  Banner,
  Button,
  ConfirmDialog,
  durationBetween,
  EmptyState,
  formatDateTime,
  formatDuration,
  JsonView,
  LoadingBlock,
  PageHeader,
  plural,
  RecordDiffView,
  StatusBadge,
  TestRunBadge,
  toast,
} from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { navigate, workflowHref } from '../router.ts';
import { reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';

const STEP_ICONS: Record<string, typeof Check> = {
  succeeded: Check,
  failed: X,
  running: LoaderCircle,
  waiting: Hourglass,
  skipped: Minus,
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="pw-fact">
      <span className="pw-fact-label">{label}</span>
      <span className="pw-fact-value">{children}</span>
    </div>
  );
}

function RequestView({ request }: { request: PlannedHttpRequest }) {
  return (
    <div className="pw-request">
      <div className="pw-request-line">
        <span className="pw-badge pw-badge--info">{request.method}</span>
        <span>{request.url}</span>
      </div>
      {request.query && Object.keys(request.query).length > 0 && (
        <JsonView value={request.query} label="Query parameters" expandDepth={1} />
      )}
      {request.body !== undefined && <JsonView value={request.body} label="Request body" expandDepth={2} />}
    </div>
  );
}

function StepItem({ step, dryRun, defaultOpen }: { step: StepResult; dryRun: boolean; defaultOpen: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  const Icon = STEP_ICONS[step.status] ?? Minus;
  const detailsId = `step-${step.key}`;
  return (
    <li className="pw-step" aria-label={`Step ${step.name}: ${step.status}`}>
      <span className={`pw-step-icon pw-step-icon--${step.status}`} aria-hidden="true">
        <Icon size={14} strokeWidth={2.5} className={step.status === 'running' ? 'pw-spinner' : undefined} />
      </span>
      <div className="pw-step-card" data-open={open}>
        <button type="button" className="pw-step-summary" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
          {open ? <ChevronDown size={16} aria-hidden="true" /> : <ChevronRight size={16} aria-hidden="true" />}
          <span className="pw-step-name">{step.name}</span>
          <span className="pw-step-type">{step.type}</span>
          <span className="pw-step-meta">
            {step.simulated && (
              <span className="pw-badge pw-badge--test" title="Not sent: the output is simulated because this was a test run.">
                Simulated
              </span>
            )}
            {step.attempts > 1 && <span title="This step was retried">{plural(step.attempts, 'attempt')}</span>}
            <span>{formatDuration(step.durationMs)}</span>
            <StatusBadge status={step.status} />
          </span>
        </button>
        {open && (
          <div className="pw-step-details" id={detailsId}>
            {step.error && (
              <div>
                <h4>Error</h4>
                <div className="pw-step-error">{step.error}</div>
              </div>
            )}
            {step.input !== undefined && (
              <div>
                <h4>Input</h4>
                <JsonView value={step.input} label={`Input of ${step.name}`} />
              </div>
            )}
            <div>
              <h4>{step.simulated ? 'Output (simulated)' : 'Output'}</h4>
              <JsonView value={step.output} label={`Output of ${step.name}`} emptyText="This step produced no output." />
            </div>
            {step.request && (
              <div>
                <h4>{dryRun ? 'Request it would send' : 'Request sent'}</h4>
                <RequestView request={step.request} />
              </div>
            )}
            {step.changes && step.changes.length > 0 && (
              <div>
                <h4>{dryRun ? 'Changes it would make' : 'Changes it made'}</h4>
                <RecordDiffView changes={step.changes} />
              </div>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

/** Live runs journal their changes per step; one list for the whole run reads better. */
function changesOf(run: RunResult): RecordDiff[] {
  if (run.dryRun) return run.changes ?? [];
  return run.steps.flatMap((s) => s.changes ?? []);
}

/** The finish time alone when the run finished on the day it started. */
function formatFinished(startedAt: string, finishedAt: string): string {
  const a = new Date(startedAt);
  const b = new Date(finishedAt);
  return a.toDateString() === b.toDateString() ? b.toLocaleTimeString() : formatDateTime(finishedAt, true);
}

function StatusBanner({ run }: { run: RunResult }) {
  if (run.dryRun)
    return (
      <Banner tone="test" title="Nothing was changed — this was a test run">
        This run used a sample event to show what the workflow would do. The changes below were planned, not made.
      </Banner>
    );
  if (run.status === 'failed')
    return (
      <Banner tone="danger" title="This run failed">
        {run.error ?? 'A step failed; open it below to see why.'}
      </Banner>
    );
  if (run.status === 'needs_review')
    return (
      <Banner tone="warning" title="This run needs your review">
        {run.error ??
          'A change was sent but its outcome is unknown, so the run stopped instead of risking doing it twice. Check the CRM before running it again.'}
      </Banner>
    );
  if (run.status === 'waiting')
    return (
      <Banner tone="info" title="This run is waiting">
        {run.resumeAt
          ? `It continues on its own at ${formatDateTime(run.resumeAt)}.`
          : 'It continues on its own when its wait step is over.'}
      </Banner>
    );
  return null;
}

export function RunDetailScreen({ runId }: { runId: string }) {
  const query = useRpc('runs.get', { runId });
  const run = query.data as RunResult | undefined;
  const { reload } = query;
  const [confirmRetry, setConfirmRetry] = useState(false);

  // Follow a run that is still going.
  useEffect(
    () =>
      rpc.on('run.updated', (event) => {
        if (event.runId === runId) void reload();
      }),
    [runId, reload],
  );

  if (query.loading) return <LoadingBlock label="Loading the run…" />;
  if (!run)
    return (
      <div className="pw-page">
        <PageHeader title="Run not found" back={{ href: '#/runs', label: 'All runs' }} />
        <div className="pw-card">
          <EmptyState
            title="This run could not be opened"
            description={query.error ?? 'It may have been removed.'}
            actions={
              <>
                <Button onClick={() => navigate('#/runs')}>Back to runs</Button>
                <Button icon={<RotateCw size={16} />} onClick={() => void reload()}>
                  Try again
                </Button>
              </>
            }
          />
        </div>
      </div>
    );

  const changes = changesOf(run);
  const requests = run.dryRun ? (run.requests ?? []) : [];
  const duration = durationBetween(run.startedAt, run.finishedAt);
  const firstProblem = run.steps.findIndex((s) => s.status === 'failed');
  const failedStep = firstProblem === -1 ? undefined : run.steps[firstProblem];
  const canRetry = !run.dryRun && (run.status === 'failed' || run.status === 'needs_review');

  const retry = async () => {
    try {
      const result = (await rpc.call('runs.retry', { runId })) as unknown as RunResult;
      if (result.status === 'succeeded') toast.success('The run finished this time');
      else toast.info(`The retried run is ${result.status.replace('_', ' ')}`, { description: result.error ?? undefined });
    } catch (err) {
      reportError('Could not retry the run', err);
      throw err;
    } finally {
      await reload();
    }
  };

  return (
    <div className="pw-page">
      <PageHeader
        back={{ href: '#/runs', label: 'All runs' }}
        title={run.workflowName}
        badges={
          <>
            <StatusBadge status={run.status} />
            {run.dryRun && <TestRunBadge />}
          </>
        }
        actions={
          <>
            <Button icon={<Pencil size={16} />} onClick={() => navigate(workflowHref(run.workflowId))}>
              Open workflow
            </Button>
            {canRetry && (
              <Button variant="primary" icon={<RotateCcw size={16} />} onClick={() => setConfirmRetry(true)}>
                Retry from failed step
              </Button>
            )}
          </>
        }
      />

      <ConfirmDialog
        open={confirmRetry}
        onOpenChange={setConfirmRetry}
        tone="primary"
        title={failedStep ? `Retry from "${failedStep.name}"?` : 'Retry this run?'}
        description={
          run.status === 'needs_review'
            ? 'The outcome of a change was unknown. Check the CRM first: if the change did go through, retrying may make it twice. Steps that succeeded are not repeated.'
            : 'The run continues live from the step that failed, with the same trigger event. Steps that already succeeded are not repeated.'
        }
        confirmLabel="Retry run"
        onConfirm={retry}
      />

      <StatusBanner run={run} />

      <section className="pw-card" aria-label="Run details">
        <div className="pw-facts">
          <Fact label="Mode">{run.dryRun ? 'Test (dry run)' : run.mode === 'live' ? 'Live' : 'Test'}</Fact>
          <Fact label="Started">{formatDateTime(run.startedAt, true)}</Fact>
          <Fact label="Finished">{run.finishedAt ? formatFinished(run.startedAt, run.finishedAt) : 'Not yet'}</Fact>
          <Fact label="Duration">{duration === null ? 'In progress' : formatDuration(duration)}</Fact>
          <Fact label="Workflow version">{run.workflowVersion ?? 'Unsaved draft'}</Fact>
        </div>
      </section>

      <section className="pw-section" aria-labelledby="run-steps">
        <h2 className="pw-section-title" id="run-steps">
          Steps <span className="pw-tab-count">{run.steps.length}</span>
        </h2>
        {run.steps.length === 0 ? (
          <p className="pw-muted">No step has run yet.</p>
        ) : (
          <ol className="pw-timeline" aria-label="Step timeline">
            {run.steps.map((step, i) => (
              <StepItem key={step.key} step={step} dryRun={run.dryRun} defaultOpen={i === firstProblem} />
            ))}
          </ol>
        )}
      </section>

      <section className="pw-section" aria-labelledby="run-changes">
        <h2 className="pw-section-title" id="run-changes">
          {run.dryRun ? 'Planned changes' : 'Changes made'} <span className="pw-tab-count">{changes.length + requests.length}</span>
        </h2>
        <RecordDiffView
          changes={changes}
          emptyText={run.dryRun ? 'This test run would not change any CRM records.' : 'This run did not change any CRM records.'}
        />
        {requests.length > 0 && (
          <>
            <h3 className="pw-section-title" style={{ fontSize: 'var(--pw-text-md)' }}>
              <Send size={16} aria-hidden="true" /> Requests it would send
            </h3>
            {requests.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: planned requests are a fixed list.
              <RequestView key={i} request={r} />
            ))}
          </>
        )}
      </section>

      <section className="pw-section" aria-labelledby="run-trigger">
        <h2 className="pw-section-title" id="run-trigger">
          Trigger event
        </h2>
        <JsonView value={run.trigger} label="Trigger event" expandDepth={1} emptyText="This run had no trigger event." />
      </section>
    </div>
  );
}
