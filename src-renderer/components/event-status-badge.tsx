type Tone = 'success' | 'danger' | 'warning' | 'info' | 'neutral';

/** Where an event from a trigger stands, in words an operator knows. */
const EVENT_STATUSES: Record<string, { label: string; tone: Tone; hint: string }> = {
  pending: { label: 'Waiting', tone: 'info', hint: 'Received; it is processed in a moment.' },
  processed: { label: 'Processed', tone: 'success', hint: 'A live workflow reacted to it and started a run.' },
  no_match: {
    label: 'No workflow matched',
    tone: 'neutral',
    hint: 'No live workflow reacts to this event, or its trigger settings left it out.',
  },
  duplicate: { label: 'Duplicate', tone: 'neutral', hint: 'The same delivery arrived before; it was not processed twice.' },
  echo: {
    label: 'Echo of our own write',
    tone: 'neutral',
    hint: 'A change one of your workflows made, reported back by the app; skipped so it does not start the workflow again.',
  },
  loop_stopped: {
    label: 'Stopped by loop guard',
    tone: 'warning',
    hint: 'Caused by a long chain of workflow runs; stopped so workflows cannot keep starting each other.',
  },
  rejected: {
    label: 'Rejected',
    tone: 'danger',
    hint: 'The delivery was refused when it arrived (for example a wrong signature or an unreadable body).',
  },
  failed: { label: 'Failed', tone: 'danger', hint: 'It could not be processed; the note says why.' },
};

export function eventStatusLabel(status: string): string {
  return EVENT_STATUSES[status]?.label ?? status.replace(/_/g, ' ');
}

export function eventStatusHint(status: string): string {
  return EVENT_STATUSES[status]?.hint ?? '';
}

export interface EventStatusBadgeProps {
  /** An inbox status: pending, processed, no_match, duplicate, echo, loop_stopped, rejected or failed. */
  status: string;
}

/** A coloured pill for an event's status (the Events screen); its explanation shows on hover. */
export function EventStatusBadge({ status }: EventStatusBadgeProps) {
  const known = EVENT_STATUSES[status] ?? { label: status.replace(/_/g, ' '), tone: 'neutral' as Tone, hint: '' };
  return (
    <span className={`pw-badge pw-badge--${known.tone}`} title={known.hint || undefined} data-status={status}>
      <span className="pw-badge-dot" aria-hidden="true" />
      {known.label}
    </span>
  );
}
