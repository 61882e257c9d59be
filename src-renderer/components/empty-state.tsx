import type { ReactNode } from 'react';

export interface EmptyStateProps {
  /** A lucide icon element, e.g. `<Workflow size={24} />`. */
  icon?: ReactNode;
  title: string;
  description?: ReactNode;
  /** Buttons: what to do next. */
  actions?: ReactNode;
  /** Less vertical space (inside a table or a panel). */
  compact?: boolean;
  children?: ReactNode;
}

/** What a list shows before it has anything: what it is for and how to get started. */
export function EmptyState({ icon, title, description, actions, compact, children }: EmptyStateProps) {
  return (
    <div className={`pw-empty${compact ? ' pw-empty--compact' : ''}`}>
      {icon && (
        <div className="pw-empty-icon" aria-hidden="true">
          {icon}
        </div>
      )}
      <h2>{title}</h2>
      {description && <p>{description}</p>}
      {children}
      {actions && <div className="pw-empty-actions">{actions}</div>}
    </div>
  );
}
