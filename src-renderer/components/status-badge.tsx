import { FlaskConical } from 'lucide-react';

type Tone = 'success' | 'danger' | 'warning' | 'info' | 'neutral';

const STATUSES: Record<string, { label: string; tone: Tone; hint: string }> = {
  // Workflows
  draft: { label: 'Draft', tone: 'neutral', hint: 'Not running. Turn it on when it is ready.' },
  live: { label: 'Live', tone: 'success', hint: 'Running: it reacts to new events.' },
  paused: { label: 'Paused', tone: 'warning', hint: 'Turned off for now; events are not processed.' },
  // Runs and steps
  queued: { label: 'Queued', tone: 'neutral', hint: 'Waiting for its turn to start.' },
  running: { label: 'Running', tone: 'info', hint: 'In progress.' },
  waiting: { label: 'Waiting', tone: 'info', hint: 'Paused on a wait step; it resumes on its own.' },
  succeeded: { label: 'Succeeded', tone: 'success', hint: 'Finished without problems.' },
  failed: { label: 'Failed', tone: 'danger', hint: 'Stopped because a step failed.' },
  needs_review: {
    label: 'Needs review',
    tone: 'warning',
    hint: 'Stopped because the outcome of a change is unknown. Check the CRM before running it again.',
  },
  cancelled: { label: 'Cancelled', tone: 'neutral', hint: 'Stopped before it finished.' },
  skipped: { label: 'Skipped', tone: 'neutral', hint: 'Not run: its branch was not taken.' },
};

export interface StatusBadgeProps {
  /** A workflow status (draft/live/paused), a run status or a step status. */
  status: string;
  /** Show the explanation as a native tooltip (default true). */
  withHint?: boolean;
}

/** A coloured pill for a workflow, run or step status, in words an operator knows. */
export function StatusBadge({ status, withHint = true }: StatusBadgeProps) {
  const known = STATUSES[status] ?? { label: status.replace(/_/g, ' '), tone: 'neutral' as Tone, hint: '' };
  return (
    <span className={`pw-badge pw-badge--${known.tone}`} title={withHint && known.hint ? known.hint : undefined} data-status={status}>
      <span className="pw-badge-dot" aria-hidden="true" />
      {known.label}
    </span>
  );
}

export function statusLabel(status: string): string {
  return STATUSES[status]?.label ?? status.replace(/_/g, ' ');
}

/** Marks a dry run: nothing was changed. */
export function TestRunBadge() {
  return (
    <span className="pw-badge pw-badge--test" title="A dry run: it showed what would change without changing anything.">
      <FlaskConical size={12} aria-hidden="true" />
      Test run
    </span>
  );
}
