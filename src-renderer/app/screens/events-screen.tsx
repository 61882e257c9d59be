import { History, Inbox, RotateCcw } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { InboxEventStatus, MethodOutput } from '../../../src-main/shared/contract.ts';
import {
  Banner,
  Button,
  ConfirmDialog,
  columnHelper,
  DataTable,
  Dialog,
  EmptyState,
  EventStatusBadge,
  eventStatusHint,
  eventStatusLabel,
  formatDateTime,
  formatRelative,
  JsonView,
  LoadingBlock,
  PageHeader,
  plural,
  StatusBadge,
  toast,
} from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { eventHref, navigate, runHref, setQuery } from '../router.ts';
import { errorMessage, reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';

type EventRow = MethodOutput<'events.list'>['events'][number];
type EventCounts = MethodOutput<'events.list'>['counts'];
type EventDetail = MethodOutput<'events.get'>;

const PAGE = 50;
/** How often the list is reloaded while the page is visible (events nobody reacts to send no run updates). */
const POLL_MS = 5_000;

/** The filter's order: what needs attention first after the common outcome. */
const STATUS_ORDER: InboxEventStatus[] = ['processed', 'pending', 'no_match', 'failed', 'rejected', 'loop_stopped', 'echo', 'duplicate'];

export interface EventsFilters {
  status: InboxEventStatus | undefined;
  /** The event whose details are open. */
  eventId: number | undefined;
}

export function readEventsFilters(query: URLSearchParams): EventsFilters {
  const status = query.get('status');
  const eventId = Number(query.get('event'));
  return {
    status: STATUS_ORDER.includes(status as InboxEventStatus) ? (status as InboxEventStatus) : undefined,
    eventId: Number.isSafeInteger(eventId) && eventId > 0 ? eventId : undefined,
  };
}

/** Calls `callback` every `ms` while the window is visible, and at once when it becomes visible again. */
function useVisibleInterval(callback: () => void, ms: number, enabled = true): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      if (document.visibilityState === 'visible') latest.current();
    };
    const timer = setInterval(tick, ms);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [ms, enabled]);
}

interface EventPages {
  events: EventRow[];
  counts: EventCounts | undefined;
  hasOlder: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | undefined;
  refresh(): Promise<void>;
  loadOlder(): Promise<void>;
}

/**
 * The newest events, and the older pages the user asked for. A refresh reloads every page down
 * to the oldest one shown, so new events arriving at the top never leave a gap in between.
 */
function useEventPages(status: InboxEventStatus | undefined): EventPages {
  const [state, setState] = useState<{ events: EventRow[]; counts?: EventCounts; hasOlder: boolean; error?: string; done: boolean }>({
    events: [],
    hasOlder: false,
    done: false,
  });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const ticket = useRef(0);
  // The oldest event id the user paged back to; undefined: the first page only.
  const floor = useRef<number | undefined>(undefined);

  const refresh = useCallback(async () => {
    const mine = ++ticket.current;
    const filter = status ? { status } : {};
    try {
      const first = await rpc.call('events.list', { ...filter, limit: PAGE });
      let events = first.events;
      let lastPage = first.events;
      while (floor.current !== undefined && lastPage.length === PAGE && (events.at(-1)?.id ?? 0) > floor.current) {
        lastPage = (await rpc.call('events.list', { ...filter, limit: PAGE, before: events.at(-1)?.id })).events;
        events = [...events, ...lastPage];
      }
      if (mine === ticket.current) setState({ events, counts: first.counts, hasOlder: lastPage.length === PAGE, done: true });
    } catch (err) {
      if (mine === ticket.current) setState((s) => ({ ...s, error: errorMessage(err), done: true }));
    }
  }, [status]);

  useEffect(() => {
    floor.current = undefined;
    void refresh();
  }, [refresh]);

  const loadOlder = useCallback(async () => {
    const last = state.events.at(-1);
    if (!last) return;
    // One past the last row shown: a refresh running meanwhile loads the new page too.
    floor.current = last.id - 1;
    setLoadingOlder(true);
    try {
      await refresh();
    } finally {
      setLoadingOlder(false);
    }
  }, [state.events, refresh]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = rpc.on('run.updated', () => {
      // A burst of run updates becomes one reload.
      timer ??= setTimeout(() => {
        timer = undefined;
        void refresh();
      }, 250);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [refresh]);
  useVisibleInterval(() => void refresh(), POLL_MS);

  return {
    events: state.events,
    counts: state.counts,
    hasOlder: state.hasOlder,
    loading: !state.done,
    loadingOlder,
    error: state.error,
    refresh,
    loadOlder,
  };
}

const col = columnHelper<EventRow>();

const columns = [
  col.accessor('receivedAt', {
    header: 'Received',
    cell: ({ getValue }) => (
      <span className="pw-nowrap" title={formatDateTime(getValue(), true)}>
        {formatRelative(getValue())}
      </span>
    ),
    meta: { width: '120px' },
  }),
  col.accessor('sourceLabel', {
    header: 'From',
    cell: ({ getValue }) => <span className="pw-nowrap">{getValue()}</span>,
    meta: { width: '140px' },
  }),
  col.accessor('eventLabel', {
    header: 'Event',
    cell: ({ row }) => (
      <div className="pw-nowrap">
        <a className="pw-cell-title" href={eventHref(row.original.id)}>
          {row.original.eventLabel}
        </a>
        <div className="pw-cell-sub">Event #{row.original.id}</div>
      </div>
    ),
    meta: { width: '220px' },
  }),
  col.accessor('summary', {
    header: 'About',
    enableSorting: false,
    cell: ({ getValue }) =>
      getValue() ? (
        <span className="pw-clamp-2" title={getValue()}>
          {getValue()}
        </span>
      ) : (
        <span className="pw-zero">—</span>
      ),
  }),
  col.accessor('status', {
    header: 'Status',
    cell: ({ getValue }) => <EventStatusBadge status={getValue()} />,
    meta: { width: '200px' },
  }),
];

function StatusFilter({ counts, selected }: { counts: EventCounts; selected: InboxEventStatus | undefined }) {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  // Statuses no event has would only add noise; the selected one stays so it can be turned off.
  const shown = STATUS_ORDER.filter((s) => counts[s] > 0 || s === selected);
  const chip = (status: InboxEventStatus | undefined, label: string, count: number, hint?: string) => (
    <button
      key={status ?? 'all'}
      type="button"
      className="pw-filter-chip"
      aria-pressed={selected === status}
      title={hint || undefined}
      onClick={() => setQuery({ status: status ?? null })}
    >
      {label}
      <span className="pw-tab-count">{count.toLocaleString()}</span>
    </button>
  );
  return (
    <fieldset className="pw-filter-chips" aria-label="Show events by status">
      {chip(undefined, 'All', total)}
      {shown.map((s) => chip(s, eventStatusLabel(s), counts[s], eventStatusHint(s)))}
    </fieldset>
  );
}

export function EventsScreen({ filters }: { filters: EventsFilters }) {
  const pages = useEventPages(filters.status);
  const total = pages.counts ? Object.values(pages.counts).reduce((sum, n) => sum + n, 0) : 0;
  const closeDetail = () => setQuery({ event: null });
  const settings = useRpc('settings.get', {});
  const keepDays = settings.data?.['inbox.keepDays'];

  return (
    <div className="pw-page">
      <PageHeader
        title="Events"
        description={`Everything that can start a live workflow: changes in your CRM, deliveries from connected apps and schedules. See what each one started, and replay one to run it again. Events are kept for ${plural(typeof keepDays === 'number' ? keepDays : 30, 'day')} (Settings).`}
      />

      {pages.error && (
        <Banner tone="danger" title="The events could not be loaded">
          {pages.error}
        </Banner>
      )}

      {pages.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading events…" />
        </div>
      ) : total === 0 && !filters.status ? (
        <div className="pw-card">
          <EmptyState
            icon={<Inbox size={26} />}
            title="No events yet"
            description="Events from your live workflows' triggers appear here: a record added to the CRM, a contact updated in a connected app, a schedule coming due. Each one shows whether it started a run."
            actions={<Button onClick={() => navigate('#/workflows')}>Go to workflows</Button>}
          />
        </div>
      ) : (
        <>
          {pages.counts && <StatusFilter counts={pages.counts} selected={filters.status} />}
          <DataTable
            label="Events"
            data={pages.events}
            columns={columns}
            getRowId={(e) => String(e.id)}
            onRowClick={(e) => setQuery({ event: String(e.id) })}
            empty={
              <EmptyState
                compact
                title={`No events are "${eventStatusLabel(filters.status ?? '')}"`}
                description={eventStatusHint(filters.status ?? '')}
                actions={<Button onClick={() => setQuery({ status: null })}>Show all events</Button>}
              />
            }
            footer={
              pages.events.length > 0 ? (
                <>
                  <span>Showing {plural(pages.events.length, 'event')}, newest first</span>
                  {pages.hasOlder && (
                    <Button size="sm" loading={pages.loadingOlder} onClick={() => void pages.loadOlder()}>
                      Load older
                    </Button>
                  )}
                </>
              ) : undefined
            }
          />
        </>
      )}

      {filters.eventId !== undefined && (
        <EventDetailDialog
          key={filters.eventId}
          id={filters.eventId}
          onClose={closeDetail}
          onReplayed={() => {
            closeDetail();
            void pages.refresh();
          }}
        />
      )}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="pw-fact">
      <span className="pw-fact-label">{label}</span>
      <span className="pw-fact-value">{children}</span>
    </div>
  );
}

/** Why an event started no run, in a sentence (its note adds the details). */
function noRunsText(status: string): string {
  switch (status) {
    case 'pending':
      return 'Not processed yet: it is waiting its turn.';
    case 'processed':
      return 'Its runs are no longer in the history.';
    default:
      return `It started no run. ${eventStatusHint(status)}`;
  }
}

function EventRuns({ event }: { event: EventDetail }) {
  if (event.runs.length === 0) return <p className="pw-muted">{noRunsText(event.status)}</p>;
  return (
    <ul className="pw-event-runs" aria-label="Runs it started">
      {event.runs.map((run) => (
        <li key={run.runId} className="pw-event-run">
          <History size={16} aria-hidden="true" className="pw-muted" />
          <a className="pw-cell-title" href={runHref(run.runId)}>
            {run.workflowName}
          </a>
          <span className="pw-muted pw-nowrap" title={formatDateTime(run.startedAt, true)}>
            {formatRelative(run.startedAt)}
          </span>
          <span className="pw-toolbar-spacer" />
          <StatusBadge status={run.status} />
        </li>
      ))}
    </ul>
  );
}

function EventDetailDialog({ id, onClose, onReplayed }: { id: number; onClose(): void; onReplayed(): void }) {
  const query = useRpc('events.get', { id }, { refreshOn: ['run.updated'] });
  const event = query.data;
  const [confirmReplay, setConfirmReplay] = useState(false);
  // A waiting event sends no news when it is processed without starting a run.
  useVisibleInterval(() => void query.reload(), 2_000, event?.status === 'pending');

  const replay = async () => {
    try {
      const copy = await rpc.call('events.replay', { id });
      toast.success(`Event #${id} queued again`, {
        description: `The copy is event #${copy.id}; it appears at the top of the list.`,
        action: { label: 'Open', onClick: () => setQuery({ event: String(copy.id) }) },
      });
      onReplayed();
    } catch (err) {
      reportError(`Could not replay event #${id}`, err);
      throw err;
    }
  };

  const canReplay = event !== undefined && event.status !== 'rejected';
  return (
    <>
      <Dialog
        open
        onOpenChange={(open) => !open && onClose()}
        width={760}
        title={event ? event.eventLabel : `Event #${id}`}
        description={event ? `Event #${event.id} from ${event.sourceLabel}` : undefined}
        footer={
          <>
            <Button variant="secondary" onClick={onClose}>
              Close
            </Button>
            <Button
              variant="primary"
              icon={<RotateCcw size={16} />}
              disabled={!canReplay}
              title={event?.status === 'rejected' ? 'A rejected delivery has nothing to replay.' : undefined}
              onClick={() => setConfirmReplay(true)}
            >
              Replay
            </Button>
          </>
        }
      >
        {query.loading ? (
          <LoadingBlock label="Loading the event…" />
        ) : !event ? (
          <EmptyState compact title="This event could not be opened" description={query.error ?? 'It may have been removed.'} />
        ) : (
          <div className="pw-event-detail">
            <div className="pw-facts pw-event-facts">
              <Fact label="Status">
                <EventStatusBadge status={event.status} />
              </Fact>
              <Fact label="Received">{formatDateTime(event.receivedAt, true)}</Fact>
              <Fact label="Processed">{event.processedAt ? formatDateTime(event.processedAt, true) : 'Not yet'}</Fact>
              {event.workflowId && <Fact label="Sent to workflow">{event.workflowId}</Fact>}
              {event.causeRunId && (
                <Fact label="Caused by">
                  <a href={runHref(event.causeRunId)}>a run of {event.causeWorkflowId ?? 'a workflow'}</a>
                  {event.depth > 1 ? ` (${event.depth} runs in a row)` : ''}
                </Fact>
              )}
            </div>
            {event.summary && <p className="pw-event-summary">{event.summary}</p>}
            {/* A processed event's note only counts its runs, which are listed below. */}
            {event.note && event.status !== 'processed' && (
              <p className="pw-event-note">
                <span className="pw-fact-label">Note</span> {event.note}
              </p>
            )}

            <section className="pw-section" aria-labelledby="event-runs">
              <h3 className="pw-section-title pw-event-heading" id="event-runs">
                Runs it started <span className="pw-tab-count">{event.runs.length}</span>
              </h3>
              <EventRuns event={event} />
            </section>

            <section className="pw-section" aria-labelledby="event-payload">
              <h3 className="pw-section-title pw-event-heading" id="event-payload">
                What arrived
              </h3>
              <JsonView value={event.payload} label="Event payload" expandDepth={2} />
            </section>
          </div>
        )}
      </Dialog>

      <ConfirmDialog
        open={confirmReplay}
        onOpenChange={setConfirmReplay}
        tone="primary"
        title={`Replay event #${id}?`}
        description="A copy of this event is processed again, as if it had just arrived: every live workflow that reacts to it runs again and may change your CRM again."
        confirmLabel="Replay event"
        onConfirm={replay}
      />
    </>
  );
}
