import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';

interface FieldFrameProps {
  label: string;
  /** One line under the control explaining what to enter. */
  help?: ReactNode;
  /** Replaces the help line in red and marks the control invalid. */
  error?: string;
  optional?: boolean;
  className?: string;
}

function Frame({ id, label, help, error, optional, className, children }: FieldFrameProps & { id: string; children: ReactNode }) {
  return (
    <div className={`pw-field ${className ?? ''}`}>
      <label className="pw-field-label" htmlFor={id}>
        {label}
        {optional && <span className="pw-field-optional">(optional)</span>}
      </label>
      {children}
      {error ? (
        <span className="pw-field-error" id={`${id}-msg`} role="alert">
          {error}
        </span>
      ) : help ? (
        <span className="pw-field-help" id={`${id}-msg`}>
          {help}
        </span>
      ) : null}
    </div>
  );
}

export interface TextFieldProps extends FieldFrameProps, Omit<InputHTMLAttributes<HTMLInputElement>, 'className'> {}

/** A labelled text input with a help line and an error message. */
export function TextField({ label, help, error, optional, className, id, ...input }: TextFieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <Frame id={inputId} label={label} help={help} error={error} optional={optional} className={className}>
      <input
        id={inputId}
        className="pw-input"
        aria-invalid={error ? true : undefined}
        aria-describedby={error || help ? `${inputId}-msg` : undefined}
        {...input}
      />
    </Frame>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps extends FieldFrameProps, Omit<SelectHTMLAttributes<HTMLSelectElement>, 'className'> {
  options: readonly SelectOption[];
  /** A first option with an empty value, e.g. "All workflows". */
  placeholder?: string;
}

/** A labelled native select (keyboard-friendly, accessible by label). */
export function SelectField({ label, help, error, optional, className, id, options, placeholder, ...select }: SelectFieldProps) {
  const generated = useId();
  const selectId = id ?? generated;
  return (
    <Frame id={selectId} label={label} help={help} error={error} optional={optional} className={className}>
      <select
        id={selectId}
        className="pw-select"
        aria-invalid={error ? true : undefined}
        aria-describedby={error || help ? `${selectId}-msg` : undefined}
        {...select}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}
