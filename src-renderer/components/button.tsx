import type { ButtonHTMLAttributes, ReactNode, Ref } from 'react';
import { Spinner } from './spinner.tsx';
import { Tooltip } from './tooltip.tsx';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  /** A lucide icon element shown before the label, e.g. `<Plus size={16} />`. */
  icon?: ReactNode;
  /** Shows a spinner instead of the icon and disables the button. */
  loading?: boolean;
  ref?: Ref<HTMLButtonElement>;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  icon,
  loading = false,
  className,
  children,
  disabled,
  type,
  ...rest
}: ButtonProps) {
  const classes = ['pw-button', `pw-button--${variant}`, size === 'sm' ? 'pw-button--sm' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type={type ?? 'button'} className={classes} disabled={disabled || loading} aria-busy={loading || undefined} {...rest}>
      {loading ? <Spinner size={size === 'sm' ? 14 : 16} label="Working" /> : icon}
      {children}
    </button>
  );
}

export interface IconButtonProps extends Omit<ButtonProps, 'children' | 'icon'> {
  /** Accessible name, also shown as a tooltip. */
  label: string;
  icon: ReactNode;
  /** Hide the tooltip (e.g. when a visible label sits next to it). */
  noTooltip?: boolean;
}

/** A square button with only an icon; `label` is its accessible name and tooltip. */
export function IconButton({ label, icon, variant = 'ghost', size = 'md', className, noTooltip, ...rest }: IconButtonProps) {
  const button = (
    <Button aria-label={label} variant={variant} size={size} icon={icon} className={`pw-icon-button ${className ?? ''}`} {...rest} />
  );
  return noTooltip ? button : <Tooltip content={label}>{button}</Tooltip>;
}
