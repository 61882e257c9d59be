import * as Tabs from '@radix-ui/react-tabs';
import {
  ChevronDown,
  ChevronRight,
  CircleAlert,
  CircleCheck,
  CircleSlash,
  CircleX,
  FlaskConical,
  Hourglass,
  LoaderCircle,
  Play,
  X,
} from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Issue, MethodOutput } from '../../src-main/shared/contract.ts';
import type { PlannedHttpRequest, RunResult, StepResult } from '../../src-main/shared/runs.ts';
import { Banner, ConfirmDialog, RecordDiffView } from '../components/index.ts';
import { RpcCallError, rpc } from '../rpc.ts';
import { sampleEvents } from './actions.ts';
import { friendlyIssues } from './issues.ts';
import { focusNode, setRun, useEditor } from './store.ts';
import { ValueView } from './value-view.tsx';

/** "Test": a dry run with a sample, a recent real event or pasted data; shows each step and the planned changes. */

type SampleEvent = MethodOutput<'runs.sampleEvents'>[number];
const PASTE = 'paste';

export function TestPanel() {
  const open = useEditor((s) => s.testOpen);
  if (!open) return null;
  return <TestPanelBody />;
}

function TestPanelBody() {
  const run = useEditor((s) => s.run);
  const running = useEditor((s) => s.running);
  const [events, setEvents] = useState<SampleEvent[] | null>(null);
  const [choice, setChoice] = useState('0');
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<{ text: string; issues: Issue[] } | null>(null);
  const [confirmReal, setConfirmReal] = useState(false);
  const [tab, setTab] = useState('changes');

  useEffect(() => {
    let live = true;
    sampleEvents()
      .then((list) => live && setEvents(list))
      .catch(() => live && setEvents([]));
    return () => {
      live = false;
    };
  }, []);

  const start = async (dryRun: boolean) => {
    setProblem(null);
    let event: SampleEvent['event'] | undefined;
    if (choice === PASTE) {
      try {
        const parsed = JSON.parse(pasted) as Record<string, unknown>;
        event =
          parsed && typeof parsed.event === 'string' && parsed.data
            ? (parsed as SampleEvent['event'])
            : { event: 'test', timestamp: new Date().toISOString(), data: parsed };
      } catch {
        setProblem({ text: 'The pasted data is not valid JSON. Copy the event again and paste it whole.', issues: [] });
        return;
      }
    } else event = events?.[Number(choice)]?.event;
    useEditor.setState({ running: true });
    try {
      const result = await rpc.call('runs.start', { document: useEditor.getState().doc, event, dryRun });
      if (result.ok) {
        setRun(result.run as unknown as RunResult);
        setTab((result.run as unknown as RunResult).changes?.length || !dryRun ? 'changes' : 'steps');
      } else {
        const { doc, catalog } = useEditor.getState();
        setProblem({ text: 'The workflow cannot run yet:', issues: friendlyIssues(result.issues, doc, catalog) });
      }
    } catch (err) {
      const e = err as Error;
      setProblem({ text: e.message, issues: err instanceof RpcCallError ? err.issues : [] });
    } finally {
      useEditor.setState({ running: false });
    }
  };

  return (
    <section className="pw-ed-test" aria-label="Test the workflow" data-testid="test-panel">
      <header className="pw-ed-test__head">
        <FlaskConical size={16} aria-hidden="true" />
        <h2>Test this workflow</h2>
        <label className="pw-ed-test__event">
          <span>Start with</span>
          <select className="pw-select" value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="Test data">
            {events === null && <option value="0">Loading examples…</option>}
            {events?.map((e, i) => (
              <option key={e.label} value={String(i)}>
                {e.label}
              </option>
            ))}
            <option value={PASTE}>Paste your own data…</option>
          </select>
        </label>
        <div className="pw-ed-test__actions">
          <button type="button" className="pw-button pw-button--primary" disabled={running} onClick={() => void start(true)}>
            {running ? <LoaderCircle size={14} className="pw-spinner" aria-hidden="true" /> : <Play size={14} aria-hidden="true" />}
            {running ? 'Testing…' : run ? 'Test again' : 'Run test'}
          </button>
          <button type="button" className="pw-button pw-button--ghost" disabled={running} onClick={() => setConfirmReal(true)}>
            Run for real…
          </button>
          <button
            type="button"
            className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
            aria-label="Close the test panel"
            onClick={() => useEditor.setState({ testOpen: false })}
          >
            <X size={16} aria-hidden="true" />
          </button>
        </div>
      </header>
      {choice === PASTE && (
        <div className="pw-ed-test__paste">
          <label htmlFor="pw-ed-paste">Event data (as copied from another tool or a webhook log)</label>
          <textarea
            id="pw-ed-paste"
            className="pw-input pw-mono"
            rows={4}
            value={pasted}
            placeholder='{ "data": { "title": "Johnson Property", "object_type": "lead" } }'
            onChange={(e) => setPasted(e.target.value)}
          />
        </div>
      )}
      <div className="pw-ed-test__body">
        {problem && (
          <div className="pw-ed-callout pw-ed-callout--error" role="alert">
            <CircleAlert size={16} aria-hidden="true" />
            <div>
              <p>{problem.text}</p>
              {problem.issues.length > 0 && (
                <ul>
                  {problem.issues.map((i) => (
                    <li key={i.message}>
                      {i.nodeId ? (
                        <button type="button" className="pw-ed-link" onClick={() => i.nodeId && focusNode(i.nodeId)}>
                          {i.message}
                        </button>
                      ) : (
                        i.message
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
        {!run && !problem && (
          <div className="pw-empty pw-empty--small">
            <p>
              <strong>See what would happen, safely.</strong> A test runs every step with the data you choose, shows what each step received
              and produced, and lists the changes it <em>would</em> make. Nothing in your CRM is changed.
            </p>
          </div>
        )}
        {run && <RunView run={run} tab={tab} onTab={setTab} />}
      </div>
      <ConfirmDialog
        open={confirmReal}
        onOpenChange={setConfirmReal}
        title="Run for real?"
        description="This runs the workflow once with the chosen data and really changes your CRM: records, tasks and tags are created or changed, and messages to other apps are sent. Use “Run test” to try it safely first."
        confirmLabel="Yes, run it for real"
        onConfirm={() => void start(false)}
      />
    </section>
  );
}

const STEP_ICON = {
  succeeded: CircleCheck,
  failed: CircleX,
  skipped: CircleSlash,
  waiting: Hourglass,
  running: LoaderCircle,
} as const;

/** The name the canvas shows for a step (the engine reports unnamed steps by id). */
function useStepName(): (step: StepResult) => string {
  const doc = useEditor((s) => s.doc);
  const catalog = useEditor((s) => s.catalog);
  return (step) => {
    const node = doc.nodes.find((n) => n.id === step.nodeId);
    const base = node ? node.name || catalog?.byType.get(node.type)?.label || step.name : step.name;
    const loop = /#(\d+)/.exec(step.key);
    return loop ? `${base} (item ${Number(loop[1]) + 1})` : base;
  };
}

function RunView(props: { run: RunResult; tab: string; onTab(tab: string): void }) {
  const { run } = props;
  const nameOf = useStepName();
  const changes = run.changes ?? [];
  const requests = run.requests ?? [];
  const failed = run.steps.find((s) => s.status === 'failed');
  const ran = run.steps.filter((s) => s.status !== 'skipped').length;
  const skipped = run.steps.length - ran;
  const total = run.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  return (
    <>
      {run.dryRun ? (
        <div data-testid="dry-run-banner">
          <Banner tone="success" title="Nothing was changed — this was a test.">
            Below is what would happen if this workflow ran for real.
          </Banner>
        </div>
      ) : (
        <Banner tone="warning" title="This run changed your CRM.">
          It is listed in the run history.
        </Banner>
      )}
      <p className={`pw-ed-test__status${failed ? ' is-failed' : ''}`}>
        {failed
          ? `Stopped at “${nameOf(failed)}”: ${failed.error ?? 'the step failed.'}`
          : run.status === 'waiting'
            ? `Paused at a wait step after ${run.steps.length} step${run.steps.length === 1 ? '' : 's'}.`
            : `${ran === run.steps.length ? 'All ' : ''}${ran} step${ran === 1 ? '' : 's'} ran in ${formatDuration(total)}${
                skipped ? `; ${skipped} ${skipped === 1 ? 'was' : 'were'} skipped because their path was not taken` : ''
              }.`}
      </p>
      <Tabs.Root value={props.tab} onValueChange={props.onTab} className="pw-ed-tabs">
        <Tabs.List className="pw-tabs-list" aria-label="Test results">
          <Tabs.Trigger value="changes" className="pw-tab">
            {run.dryRun ? 'Planned changes' : 'Changes'} <span className="pw-tab-count">{changes.length + requests.length}</span>
          </Tabs.Trigger>
          <Tabs.Trigger value="steps" className="pw-tab">
            Steps <span className="pw-tab-count">{run.steps.length}</span>
          </Tabs.Trigger>
          <Tabs.Trigger value="trigger" className="pw-tab">
            Trigger data
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="changes" className="pw-tab-panel" data-testid="planned-changes">
          {changes.length === 0 && requests.length === 0 && (
            <p className="pw-muted">This run {run.dryRun ? 'would change' : 'changed'} nothing.</p>
          )}
          {changes.length > 0 && <RecordDiffView changes={changes} />}
          {requests.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: requests are listed in the order they would be sent
            <RequestCard key={i} request={r} />
          ))}
        </Tabs.Content>
        <Tabs.Content value="steps" className="pw-tab-panel">
          <ol className="pw-ed-steps">
            {run.steps.map((s) => (
              <StepRow key={s.key} step={s} name={nameOf(s)} />
            ))}
          </ol>
        </Tabs.Content>
        <Tabs.Content value="trigger" className="pw-tab-panel">
          <ValueView value={(run.trigger as { data?: unknown } | null)?.data ?? run.trigger} />
        </Tabs.Content>
      </Tabs.Root>
    </>
  );
}

function RequestCard(props: { request: PlannedHttpRequest }) {
  const { request } = props;
  return (
    <article className="pw-diff pw-ed-request">
      <header className="pw-diff-header">
        <span className="pw-badge pw-badge--info">{request.method}</span>
        <span className="pw-diff-entity pw-mono">{request.url}</span>
        <span className="pw-muted">would be sent</span>
      </header>
      {request.body !== undefined && <ValueView value={request.body} />}
    </article>
  );
}

function StepRow(props: { step: StepResult; name: string }) {
  const { step } = props;
  const [open, setOpen] = useState(step.status === 'failed');
  const Icon = STEP_ICON[step.status] ?? CircleCheck;
  return (
    <li className={`pw-ed-step pw-ed-step--${step.status}`}>
      <button type="button" className="pw-ed-step__head" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronRight size={14} aria-hidden="true" />}
        <Icon size={15} aria-hidden="true" className="pw-ed-step__icon" />
        <span className="pw-ed-step__name">{props.name}</span>
        {step.simulated && <span className="pw-badge">simulated</span>}
        {step.attempts > 1 && <span className="pw-badge pw-badge--warning">{step.attempts} tries</span>}
        <span className="pw-ed-step__time">{formatDuration(step.durationMs)}</span>
      </button>
      {open && (
        <div className="pw-ed-step__body">
          {step.error && <p className="pw-field-error">{step.error}</p>}
          <div className="pw-ed-step__io">
            <div>
              <h4>Received</h4>
              {step.input === undefined ? <p className="pw-muted">—</p> : <ValueView value={step.input} />}
            </div>
            <div>
              <h4>Produced</h4>
              {step.output === undefined ? <p className="pw-muted">—</p> : <ValueView value={step.output} />}
            </div>
          </div>
          <button type="button" className="pw-ed-link" onClick={() => focusNode(step.nodeId)}>
            Show this step on the canvas
          </button>
        </div>
      )}
    </li>
  );
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return 'under 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
