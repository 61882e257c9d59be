import {
  Bell,
  Bot,
  Box,
  Briefcase,
  Building2,
  Calendar,
  CalendarClock,
  Clock,
  Cloud,
  Columns3,
  Contact,
  Database,
  FileText,
  Filter,
  GitBranch,
  Globe,
  Handshake,
  Hourglass,
  Inbox,
  Kanban,
  LayoutGrid,
  Link,
  ListTodo,
  type LucideIcon,
  Mail,
  Megaphone,
  MessageCircle,
  MessageSquare,
  OctagonX,
  PenLine,
  Phone,
  Play,
  Plug,
  Repeat,
  Send,
  Server,
  Sheet,
  Split,
  SquareKanban,
  Store,
  Tag,
  Users,
  Webhook,
  Zap,
} from 'lucide-react';
import { memo } from 'react';
import type { CatalogApp, CatalogNode } from '../../src-main/shared/catalog.ts';

/**
 * Apps name a lucide icon or give an emoji. Only the icons apps use are bundled (importing every
 * lucide icon would add megabytes); an unknown name falls back to a neutral box.
 */
const BY_NAME: Record<string, LucideIcon> = {
  database: Database,
  'git-branch': GitBranch,
  zap: Zap,
  mail: Mail,
  globe: Globe,
  webhook: Webhook,
  users: Users,
  calendar: Calendar,
  clock: Clock,
  building: Building2,
  'building-2': Building2,
  phone: Phone,
  'message-square': MessageSquare,
  send: Send,
  tag: Tag,
  'list-todo': ListTodo,
  'kanban-square': SquareKanban,
  'square-kanban': SquareKanban,
  kanban: Kanban,
  'layout-grid': LayoutGrid,
  'columns-3': Columns3,
  contact: Contact,
  briefcase: Briefcase,
  cloud: Cloud,
  plug: Plug,
  link: Link,
  server: Server,
  'message-circle': MessageCircle,
  inbox: Inbox,
  bot: Bot,
  bell: Bell,
  'file-text': FileText,
  handshake: Handshake,
  megaphone: Megaphone,
  sheet: Sheet,
  store: Store,
};

/** Logic steps read better with their own icon than with the app's. */
const BY_TYPE: Record<string, LucideIcon> = {
  'logic.filter': Filter,
  'logic.if': GitBranch,
  'logic.switch': Split,
  'logic.forEach': Repeat,
  'logic.wait': Hourglass,
  'logic.set': PenLine,
  'logic.stopWithError': OctagonX,
  'logic.manual': Play,
  'logic.schedule': CalendarClock,
};

export const AppIcon = memo(function AppIcon(props: { app?: CatalogApp; type?: CatalogNode; size?: number }) {
  const size = props.size ?? 16;
  const byType = props.type && BY_TYPE[props.type.type];
  const icon = props.app?.icon ?? '';
  const Icon = byType ?? BY_NAME[icon];
  if (Icon) return <Icon size={size} aria-hidden="true" strokeWidth={2} />;
  if (icon && !/^[a-z0-9-]+$/i.test(icon)) {
    return (
      <span className="pw-ed-emoji" style={{ fontSize: size - 1 }} aria-hidden="true">
        {icon}
      </span>
    );
  }
  return <Box size={size} aria-hidden="true" />;
});

/** The symbol id of the icon an app or step type shows, or undefined for an emoji. */
function symbolOf(app?: CatalogApp, type?: CatalogNode): string | undefined {
  if (type && BY_TYPE[type.type]) return `type-${type.type.replace('.', '-')}`;
  const icon = app?.icon ?? '';
  if (BY_NAME[icon]) return `app-${icon}`;
  if (icon && !/^[a-z0-9-]+$/i.test(icon)) return undefined;
  return 'box';
}

/**
 * Every icon once, as SVG symbols. Canvas nodes draw theirs with `<use>`: two elements each
 * instead of a component and its paths, which adds up over hundreds of steps.
 */
export const IconSprite = memo(function IconSprite() {
  const entries: [string, LucideIcon][] = [
    ...Object.entries(BY_NAME).map(([name, icon]): [string, LucideIcon] => [`app-${name}`, icon]),
    ...Object.entries(BY_TYPE).map(([name, icon]): [string, LucideIcon] => [`type-${name.replace('.', '-')}`, icon]),
    ['box', Box],
  ];
  return (
    <svg className="pw-ed-sprite" aria-hidden="true" focusable="false">
      {entries.map(([id, Icon]) => (
        <symbol key={id} id={`pw-ed-icon-${id}`} viewBox="0 0 24 24">
          <Icon size={24} strokeWidth={2} />
        </symbol>
      ))}
    </svg>
  );
});

/** A step's icon on the canvas (needs `IconSprite` on the page). */
export function NodeIcon(props: { app?: CatalogApp; type?: CatalogNode; size: number }) {
  const symbol = symbolOf(props.app, props.type);
  if (!symbol) {
    return (
      <span className="pw-ed-emoji" style={{ fontSize: props.size - 1 }} aria-hidden="true">
        {props.app?.icon}
      </span>
    );
  }
  return (
    <svg width={props.size} height={props.size} aria-hidden="true">
      <use href={`#pw-ed-icon-${symbol}`} />
    </svg>
  );
}
