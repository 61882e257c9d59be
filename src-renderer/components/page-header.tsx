import { ArrowLeft } from 'lucide-react';
import type { ReactNode } from 'react';

export interface PageHeaderProps {
  title: ReactNode;
  /** One sentence on what this page is for. */
  description?: ReactNode;
  /** Buttons on the right. */
  actions?: ReactNode;
  /** A "back" link above the title. */
  back?: { href: string; label: string };
  /** Badges next to the title. */
  badges?: ReactNode;
}

export function PageHeader({ title, description, actions, back, badges }: PageHeaderProps) {
  return (
    <header className="pw-page-header">
      <div className="pw-page-header-text">
        {back && (
          <a className="pw-back-link" href={back.href}>
            <ArrowLeft size={14} aria-hidden="true" />
            {back.label}
          </a>
        )}
        <h1>
          <span style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{title}</span>
          {badges}
        </h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="pw-page-header-actions">{actions}</div>}
    </header>
  );
}
