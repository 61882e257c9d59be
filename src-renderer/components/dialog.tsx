import * as RadixDialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import { type CSSProperties, type FormEvent, type ReactNode, useState } from 'react';
import { Button } from './button.tsx';

export interface DialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons at the bottom, right-aligned. */
  footer?: ReactNode;
  /** Max width in px (default 480). */
  width?: number;
  /**
   * Render the body and footer inside a <form>: Enter submits, and `onSubmit` runs instead of a
   * page load. Give the primary button `type="submit"`.
   */
  onSubmit?(event: FormEvent<HTMLFormElement>): void;
}

/** A modal dialog with a title, an optional description, a body and a footer. Escape and the × close it. */
export function Dialog({ open, onOpenChange, title, description, children, footer, width, onSubmit }: DialogProps) {
  const inner = (
    <>
      {children !== undefined && <div className="pw-dialog-body">{children}</div>}
      {footer && <div className="pw-dialog-footer">{footer}</div>}
    </>
  );
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="pw-dialog-overlay" />
        <RadixDialog.Content
          className="pw-dialog"
          style={width ? ({ '--pw-dialog-width': `${width}px` } as CSSProperties) : undefined}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <div className="pw-dialog-header" style={children === undefined ? { paddingBottom: 'var(--pw-space-5)' } : undefined}>
            <div>
              <RadixDialog.Title className="pw-dialog-title">{title}</RadixDialog.Title>
              {description && <RadixDialog.Description className="pw-dialog-description">{description}</RadixDialog.Description>}
            </div>
            <RadixDialog.Close asChild>
              <Button variant="ghost" size="sm" className="pw-icon-button" aria-label="Close" icon={<X size={16} />} />
            </RadixDialog.Close>
          </div>
          {onSubmit ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                onSubmit(event);
              }}
              style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}
            >
              {inner}
            </form>
          ) : (
            inner
          )}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: ReactNode;
  /** What will happen, in plain words (name the thing affected). */
  description: ReactNode;
  /** The confirm button's label: a verb, e.g. "Delete workflow". */
  confirmLabel: string;
  cancelLabel?: string;
  tone?: 'danger' | 'primary';
  /** May return a promise: the button shows progress and the dialog closes when it resolves. */
  onConfirm(): void | Promise<void>;
  children?: ReactNode;
}

/** Asks before doing something that matters. Stays open, with the button enabled again, if `onConfirm` throws. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'danger',
  onConfirm,
  children,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onOpenChange(false);
    } catch {
      // The caller reports the failure (a toast); keep the dialog so the user can retry or cancel.
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !busy && onOpenChange(next)}
      title={title}
      description={description}
      width={440}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button variant={tone === 'danger' ? 'danger' : 'primary'} onClick={confirm} loading={busy} autoFocus>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
