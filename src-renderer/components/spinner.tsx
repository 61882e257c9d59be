import { LoaderCircle } from 'lucide-react';

export interface SpinnerProps {
  size?: number;
  /** Read by screen readers; shown next to the spinner when `showLabel` is set. */
  label?: string;
  showLabel?: boolean;
}

export function Spinner({ size = 16, label = 'Loading', showLabel = false }: SpinnerProps) {
  return (
    <span role="status" className="pw-with-icon" style={{ gap: 'var(--pw-space-2)', display: 'inline-flex' }}>
      <LoaderCircle size={size} className="pw-spinner" aria-hidden="true" />
      {showLabel ? <span>{label}</span> : <span className="pw-sr-only">{label}</span>}
    </span>
  );
}

/** A centred spinner with a sentence, for a panel or page that is loading. */
export function LoadingBlock({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="pw-loading">
      <Spinner label={label} showLabel />
    </div>
  );
}
