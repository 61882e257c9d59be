import { Database, History, Inbox, LayoutTemplate, type LucideIcon, Plug, Settings, Workflow, Zap } from 'lucide-react';
import type { Route } from './router.ts';
import { useAppStore } from './store.ts';

interface NavItem {
  label: string;
  href: string;
  icon: LucideIcon;
  matches: Route['name'][];
}

const ITEMS: NavItem[] = [
  { label: 'Workflows', href: '#/workflows', icon: Workflow, matches: ['workflows', 'editor'] },
  { label: 'Templates', href: '#/templates', icon: LayoutTemplate, matches: ['templates', 'template'] },
  { label: 'Runs', href: '#/runs', icon: History, matches: ['runs', 'run'] },
  { label: 'Events', href: '#/events', icon: Inbox, matches: ['events'] },
  { label: 'CRM', href: '#/crm', icon: Database, matches: ['crm'] },
  { label: 'Connections', href: '#/connections', icon: Plug, matches: ['connections'] },
  { label: 'Settings', href: '#/settings', icon: Settings, matches: ['settings'] },
];

export function Nav({ route }: { route: Route }) {
  const info = useAppStore((s) => s.appInfo);
  return (
    <nav className="pw-nav" aria-label="Main">
      <div className="pw-brand">
        <span className="pw-brand-mark" aria-hidden="true">
          <Zap size={16} />
        </span>
        <span className="pw-brand-name">Pipewright</span>
      </div>
      {ITEMS.map((item) => {
        const Icon = item.icon;
        const active = item.matches.includes(route.name);
        return (
          <a key={item.href} className="pw-nav-link" href={item.href} aria-current={active ? 'page' : undefined} title={item.label}>
            <Icon size={18} aria-hidden="true" />
            <span className="pw-nav-label">{item.label}</span>
          </a>
        );
      })}
      <div className="pw-nav-footer">
        {info && (
          <>
            <div>Pipewright {info.version}</div>
            <div>{info.edition === 'desktop' ? 'Desktop app' : 'Browser edition'}</div>
          </>
        )}
      </div>
    </nav>
  );
}
