import { CircleCheck, CirclePause, RefreshCw, TriangleAlert, Webhook } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { TriggerHook } from '../../src-main/shared/contract.ts';
import { Button, CopyButton, formatDateTime, formatRelative, needsPublicAddress, triggerProblem } from '../components/index.ts';
import { rpc } from '../rpc.ts';
import { setLive } from './actions.ts';
import { toast, useEditor } from './store.ts';

/**
 * Under the toolbar: how a live workflow's remote triggers receive events (webhook or checking
 * for changes, and what is wrong), or why Pipewright paused the workflow.
 */
export function LiveStatus() {
  const summary = useEditor((s) => (s.phase === 'ready' ? s.summary : null));
  useFreshTriggers();
  if (summary?.status === 'paused') return <PausedBanner reason={summary.pausedReason} />;
  if (summary?.status !== 'live' || summary.triggers.length === 0) return null;
  return (
    <section className="pw-ed-livebar" aria-label="How events arrive">
      {summary.triggers.map((hook) => (
        <TriggerLine key={hook.nodeId} hook={hook} />
      ))}
    </section>
  );
}

function PausedBanner(props: { reason: string | null }) {
  const [busy, setBusy] = useState(false);
  return (
    <section className="pw-ed-livebar pw-ed-livebar--paused" role="alert" aria-label="Workflow paused">
      <div className="pw-ed-livebar__row">
        <CirclePause size={18} aria-hidden="true" className="pw-ed-livebar__icon" />
        <div className="pw-ed-livebar__text">
          <strong>This workflow is paused, so new events do not start it.</strong>
          <span className="pw-ed-livebar__reason">{props.reason ?? 'It was paused while live.'}</span>
          <span className="pw-ed-livebar__help">
            Fix what made the runs fail (test it to check), then turn it back on. Events that arrived meanwhile are kept under{' '}
            <a href="#/events?status=no_match">Events</a>, where you can replay them.
          </span>
        </div>
        <Button
          variant="primary"
          loading={busy}
          onClick={async () => {
            setBusy(true);
            await setLive(true);
            setBusy(false);
          }}
        >
          Turn back on
        </Button>
      </div>
    </section>
  );
}

function TriggerLine({ hook }: { hook: TriggerHook }) {
  const problem = triggerProblem(hook);
  const ok = !problem && (hook.mode === 'poll' || hook.registered || !!hook.url);
  return (
    <div className="pw-ed-livebar__trigger" data-testid="trigger-status">
      <div className="pw-ed-livebar__row">
        {hook.mode === 'poll' ? (
          <RefreshCw size={16} aria-hidden="true" className={`pw-ed-livebar__icon${ok ? ' is-ok' : ''}`} />
        ) : ok ? (
          <CircleCheck size={16} aria-hidden="true" className="pw-ed-livebar__icon is-ok" />
        ) : (
          <Webhook size={16} aria-hidden="true" className="pw-ed-livebar__icon" />
        )}
        <HowItArrives hook={hook} />
      </div>
      {problem && (
        <p className="pw-ed-livebar__problem" role="status">
          <TriangleAlert size={14} aria-hidden="true" />
          <span>
            {problem}
            {needsPublicAddress(hook) && (
              <>
                {' '}
                <a href="#/settings">Open Settings</a>
              </>
            )}
          </span>
        </p>
      )}
    </div>
  );
}

function HowItArrives({ hook }: { hook: TriggerHook }) {
  const app = hook.appName;
  if (hook.mode === 'poll') {
    return (
      <>
        <span className="pw-ed-livebar__text">
          <span>
            Checking {app} for changes every {everyWords(hook.pollSeconds)}
            <span className="pw-ed-livebar__sep" aria-hidden="true">
              {' '}
              ·{' '}
            </span>
            <LastChecked at={hook.polledAt} />
          </span>
          {!hook.url && (
            <span className="pw-ed-livebar__help">
              To get changes the moment they happen, set the public address in <a href="#/settings">Settings</a>.
            </span>
          )}
        </span>
        <CheckNowButton />
      </>
    );
  }
  if (hook.registered) {
    return <span className="pw-ed-livebar__text">{app} sends changes to this workflow (webhook registered).</span>;
  }
  if (hook.url) {
    return (
      <>
        <span className="pw-ed-livebar__text">
          <span>Paste this address into {possessive(app)} webhook settings:</span>
          <input
            className="pw-ed-livebar__url"
            aria-label={`Webhook address for ${app}`}
            value={hook.url}
            readOnly
            size={hook.url.length}
            onFocus={(e) => e.currentTarget.select()}
          />
        </span>
        <CopyButton text={hook.url} label="Copy address" />
      </>
    );
  }
  return <span className="pw-ed-livebar__text">{app} cannot send changes to this workflow yet.</span>;
}

function LastChecked(props: { at: string | null }) {
  // Re-rendered now and then so "2 minutes ago" keeps up with the clock.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 20_000);
    return () => clearInterval(timer);
  }, []);
  if (!props.at) return <span>not checked yet</span>;
  return <span title={formatDateTime(props.at, true)}>last checked {formatRelative(props.at)}</span>;
}

function CheckNowButton() {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size="sm"
      icon={<RefreshCw size={14} aria-hidden="true" />}
      loading={busy}
      onClick={async () => {
        const id = useEditor.getState().doc.id;
        setBusy(true);
        try {
          const summary = await rpc.call('workflows.checkNow', { id });
          useEditor.setState({ summary });
        } catch (err) {
          toast(`Could not check for changes: ${(err as Error).message}`, 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      Check now
    </Button>
  );
}

/** "Kanbert’s", "GHL Contacts’". */
function possessive(name: string): string {
  return name.endsWith('s') ? `${name}’` : `${name}’s`;
}

/** "minute", "5 minutes", "90 seconds". */
function everyWords(seconds: number | null): string {
  const s = seconds ?? 60;
  if (s === 60) return 'minute';
  if (s % 60 === 0) return `${s / 60} minutes`;
  return `${s} seconds`;
}

/**
 * Keeps the trigger facts current while the editor is open: polling times move on without any
 * event the UI hears about, and a save of a live workflow sets its triggers up after answering.
 */
function useFreshTriggers() {
  const id = useEditor((s) => s.summary?.id);
  const version = useEditor((s) => s.summary?.version);
  const live = useEditor((s) => s.summary?.status === 'live');
  const pollSeconds = useEditor((s) => Math.min(...(s.summary?.triggers ?? []).map((t) => t.pollSeconds ?? Number.POSITIVE_INFINITY)));

  useEffect(() => {
    // Each saved version may set its triggers up anew, so look again shortly after it changes.
    if (!id || !live || version === undefined) return;
    let stopped = false;
    const refresh = () =>
      rpc
        .call('workflows.get', { id })
        .then(({ workflow }) => {
          if (!stopped && useEditor.getState().summary?.id === workflow.id) useEditor.setState({ summary: workflow });
        })
        .catch(() => undefined);
    const soon = setTimeout(refresh, 1500);
    const every = Number.isFinite(pollSeconds) ? setInterval(refresh, Math.max(15, pollSeconds) * 1000) : undefined;
    return () => {
      stopped = true;
      clearTimeout(soon);
      clearInterval(every);
    };
  }, [id, version, live, pollSeconds]);
}
