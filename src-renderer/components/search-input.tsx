import { Search, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { IconButton } from './button.tsx';

export interface SearchInputProps {
  value: string;
  /** Called as the user types, after `debounceMs` of quiet. */
  onChange(value: string): void;
  /** Accessible name, e.g. "Search workflows". */
  label: string;
  placeholder?: string;
  debounceMs?: number;
}

/** A search box with an icon and a clear button; Escape clears it. */
export function SearchInput({ value, onChange, label, placeholder, debounceMs = 200 }: SearchInputProps) {
  const [text, setText] = useState(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => setText(value), [value]);

  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChangeRef.current(text), debounceMs);
    return () => clearTimeout(timer);
  }, [text, value, debounceMs]);

  return (
    <div className="pw-search">
      <Search size={16} className="pw-search-icon" aria-hidden="true" />
      <input
        type="search"
        className="pw-input"
        aria-label={label}
        placeholder={placeholder ?? label}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            setText('');
            onChangeRef.current('');
          }
        }}
      />
      {text && (
        <span className="pw-search-clear">
          <IconButton
            label="Clear search"
            size="sm"
            icon={<X size={14} />}
            onClick={() => {
              setText('');
              onChangeRef.current('');
            }}
          />
        </span>
      )}
    </div>
  );
}
