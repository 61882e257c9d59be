import { describeEvent, eventDetail } from './api.ts';
import type { App } from './app.ts';
import { formatTable } from './cli-format.ts';
import { type CliIo, CliRefusal, CliUsageError, runSubcommand, stdio } from './cli-io.ts';
import { type InboxEventDetail, InboxEventStatus } from './shared/contract.ts';
import type { RunSummary } from './shared/runs.ts';

/**
 * `pipewright events …`: the inbox of events that may start runs (CRM changes live workflows
 * listen to, webhook deliveries, polled changes, schedules): list them, show one with its payload
 * and runs, and replay one. Shows the same fields as the app's Events screen.
 */

export const EVENTS_USAGE = `  events [--status S] [--workflow ID] [--limit N] [--json]
                                       List recent events that may start runs, newest first
  events show ID [--json]              Show one event with its payload and the runs it started
  events replay ID [--json]            Process a copy of an event again and show what it started`;

export interface EventsOptions {
  status?: string;
  workflow?: string;
  limit?: string;
  json?: boolean;
}

export type EventsIo = CliIo;

const MAX_LIMIT = 200;

export async function eventsCommand(app: App, args: string[], options: EventsOptions, io: EventsIo = stdio): Promise<number> {
  const [sub, ...rest] = args;
  return runSubcommand(io, async () => {
    switch (sub) {
      case undefined:
      case 'list':
        return list(app, options, io);
      case 'show':
        return show(app, rest, options, io);
      case 'replay':
        return await replay(app, rest, options, io);
      default:
        io.err(`Unknown events command "${sub}".\n\n${EVENTS_USAGE}`);
        return 2;
    }
  });
}

function statusOf(text: string | undefined): InboxEventStatus | undefined {
  if (text === undefined) return undefined;
  const parsed = InboxEventStatus.safeParse(text);
  if (!parsed.success) throw new CliUsageError(`There is no event status "${text}"; use one of: ${InboxEventStatus.options.join(', ')}.`);
  return parsed.data;
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return 50;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_LIMIT)
    throw new CliUsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${text}".`);
  return limit;
}

function idOf(text: string | undefined): number {
  if (text === undefined) throw new CliUsageError('Missing the event id (the number in "pipewright events"). See "pipewright --help".');
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new CliUsageError(`"${text}" is not an event id; event ids are numbers such as 12.`);
  return id;
}

function eventOf(app: App, id: number) {
  const event = app.inbox.get(id);
  if (!event) throw new CliRefusal(`There is no event #${id}. See "pipewright events".`);
  return event;
}

function list(app: App, options: EventsOptions, io: EventsIo): number {
  const status = statusOf(options.status);
  const events = app.inbox
    .list({ status, workflowId: options.workflow, limit: limitOf(options.limit) })
    .map((event) => describeEvent(app, event));
  if (options.json) {
    io.out(JSON.stringify(events, null, 2));
    return 0;
  }
  if (events.length === 0) {
    io.out(
      status || options.workflow
        ? 'No events match.'
        : 'No events yet. Events appear here once a live workflow listens to CRM changes, webhooks or a schedule.',
    );
    return 0;
  }
  io.out(
    formatTable(
      ['ID', 'RECEIVED', 'SOURCE', 'EVENT', 'STATUS', 'SUMMARY'],
      events.map((e) => [String(e.id), e.receivedAt, e.source, e.event, e.status, e.summary]),
    ),
  );
  return 0;
}

function runsTable(runs: RunSummary[]): string {
  return formatTable(
    ['RUN', 'WORKFLOW', 'STATUS', 'STARTED'],
    runs.map((r) => [r.runId, r.workflowName, r.status, r.startedAt]),
  );
}

function formatEvent(event: InboxEventDetail): string {
  const lines = [
    `Event #${event.id}: ${event.event} (${event.eventLabel}) from ${event.sourceLabel}`,
    `Status:    ${event.status}${event.note ? ` (${event.note})` : ''}`,
    `Received:  ${event.receivedAt}${event.processedAt ? `, processed ${event.processedAt}` : ''}`,
  ];
  if (event.summary) lines.push(`About:     ${event.summary}`);
  if (event.workflowId) lines.push(`For:       workflow ${event.workflowId}`);
  if (event.causeRunId) lines.push(`Caused by: run ${event.causeRunId} (chain depth ${event.depth})`);
  lines.push('', event.runs.length ? `Runs it started:\n${runsTable(event.runs)}` : 'Runs it started: none');
  lines.push('', 'Payload:', JSON.stringify(event.payload, null, 2));
  return lines.join('\n');
}

function show(app: App, args: string[], options: EventsOptions, io: EventsIo): number {
  const event = eventDetail(app, eventOf(app, idOf(args[0])));
  io.out(options.json ? JSON.stringify(event, null, 2) : formatEvent(event));
  return 0;
}

/** Queues a copy, processes it with the live engine, then reports what the copy started. */
async function replay(app: App, args: string[], options: EventsOptions, io: EventsIo): Promise<number> {
  const original = eventOf(app, idOf(args[0]));
  if (original.status === 'rejected') {
    throw new CliRefusal(`Event #${original.id} was rejected when it arrived; there is nothing to replay.`);
  }
  const copyId = app.inbox.replay(original.id, app.now().toISOString());
  app.start();
  await app.settle();
  const copy = eventDetail(app, eventOf(app, copyId));
  if (options.json) io.out(JSON.stringify(copy, null, 2));
  else {
    io.out(`Replayed event #${original.id} as event #${copy.id}: ${copy.status}${copy.note ? ` (${copy.note})` : ''}.`);
    if (copy.runs.length) io.out(runsTable(copy.runs));
  }
  const failed = copy.status === 'failed' || copy.runs.some((r) => r.status === 'failed' || r.status === 'needs_review');
  return failed ? 1 : 0;
}
