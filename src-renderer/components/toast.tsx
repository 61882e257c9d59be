import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { type Toast, useAppStore } from '../app/store.ts';
import { Button, IconButton } from './button.tsx';

export { toast } from '../app/store.ts';

const ICONS = { success: CircleCheck, error: CircleAlert, info: Info } as const;

function ToastItem({ item }: { item: Toast }) {
  const dismiss = useAppStore((s) => s.dismissToast);
  const [hovered, setHovered] = useState(false);
  useEffect(() => {
    if (!item.duration || hovered) return;
    const timer = setTimeout(() => dismiss(item.id), item.duration);
    return () => clearTimeout(timer);
  }, [item.id, item.duration, hovered, dismiss]);
  const Icon = ICONS[item.tone];
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hovering only pauses the auto-hide timer.
    <div
      className={`pw-toast pw-toast--${item.tone}`}
      role={item.tone === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
    >
      <Icon size={18} className="pw-toast-icon" aria-hidden="true" />
      <div className="pw-toast-body">
        <div className="pw-toast-title">{item.title}</div>
        {item.description && <div className="pw-toast-text">{item.description}</div>}
      </div>
      <div className="pw-toast-actions">
        {item.action && (
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              dismiss(item.id);
              item.action?.onClick();
            }}
          >
            {item.action.label}
          </Button>
        )}
        <IconButton label="Dismiss" size="sm" icon={<X size={14} />} onClick={() => dismiss(item.id)} noTooltip />
      </div>
    </div>
  );
}

/** Renders the app's toasts (bottom right). Mounted once by the shell; call `toast.success(...)` anywhere. */
export function Toaster() {
  const toasts = useAppStore((s) => s.toasts);
  return (
    <section className="pw-toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} item={t} />
      ))}
    </section>
  );
}
