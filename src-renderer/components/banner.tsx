import { CircleAlert, CircleCheck, FlaskConical, Info, TriangleAlert } from 'lucide-react';
import type { ReactNode } from 'react';

export interface BannerProps {
  tone?: 'info' | 'warning' | 'danger' | 'success' | 'test';
  title: ReactNode;
  children?: ReactNode;
}

const ICONS = { info: Info, warning: TriangleAlert, danger: CircleAlert, success: CircleCheck, test: FlaskConical } as const;

/** A message across a page or panel: what happened, and what it means. */
export function Banner({ tone = 'info', title, children }: BannerProps) {
  const Icon = ICONS[tone];
  const cls = tone === 'test' ? 'warning' : tone;
  return (
    <div className={`pw-banner pw-banner--${cls}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <Icon size={18} aria-hidden="true" />
      <div className="pw-banner-body">
        <div className="pw-banner-title">{title}</div>
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}
