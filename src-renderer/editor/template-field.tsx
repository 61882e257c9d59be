import { type ClipboardEvent, type KeyboardEvent, type ReactNode, useCallback, useLayoutEffect, useRef } from 'react';
import { DataPicker, usePicker } from './data-picker.tsx';
import { describeExpression, type Labeller, splitTemplate, toTemplate } from './templates.ts';

/**
 * A text field that accepts data from earlier steps. The value is Liquid text; each `{{ … }}` is
 * shown as a pill with a readable name ("New lead › Title") that is deleted as one piece.
 */

const CARET_HOLDER = '\u200b';

function makePill(template: string, labeller: Labeller): HTMLSpanElement {
  const pill = document.createElement('span');
  pill.className = 'pw-ed-pill';
  pill.contentEditable = 'false';
  pill.dataset.template = template;
  pill.textContent = describeExpression(template.slice(2, -2).trim(), labeller);
  return pill;
}

function renderValue(el: HTMLElement, value: string, labeller: Labeller): void {
  const children: Node[] = [];
  for (const seg of splitTemplate(value)) {
    if (seg.kind === 'text') children.push(document.createTextNode(seg.text));
    else {
      children.push(makePill(seg.text, labeller));
      children.push(document.createTextNode(CARET_HOLDER));
    }
  }
  el.replaceChildren(...children);
}

function serialize(node: Node, isRoot = true): string {
  if (node.nodeType === Node.TEXT_NODE) return (node.textContent ?? '').replaceAll(CARET_HOLDER, '');
  if (!(node instanceof HTMLElement)) return '';
  if (node.dataset.template) return node.dataset.template;
  if (node.tagName === 'BR') return '\n';
  let out = '';
  for (const child of node.childNodes) out += serialize(child, false);
  // Chromium wraps new lines in <div>s when editing.
  if (!isRoot && (node.tagName === 'DIV' || node.tagName === 'P')) out = `\n${out}`;
  return out;
}

export interface TemplateFieldProps {
  id: string;
  value: string;
  onChange(value: string): void;
  multiline?: boolean;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
  label: string;
  /** Extra buttons beside "Data" (e.g. a date helper). */
  extra?: ReactNode;
}

export function TemplateField(props: TemplateFieldProps) {
  const { labeller } = usePicker();
  const ref = useRef<HTMLDivElement>(null);
  const shown = useRef<string | null>(null);
  const range = useRef<Range | null>(null);
  const { onChange } = props;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || shown.current === props.value) return;
    renderValue(el, props.value, labeller);
    shown.current = props.value;
  }, [props.value, labeller]);

  const emit = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    let value = serialize(el);
    if (!props.multiline) value = value.replace(/\n/g, ' ');
    shown.current = value;
    onChange(value);
  }, [onChange, props.multiline]);

  const saveRange = useCallback(() => {
    const el = ref.current;
    const sel = window.getSelection();
    if (el && sel && sel.rangeCount > 0 && el.contains(sel.anchorNode)) range.current = sel.getRangeAt(0).cloneRange();
  }, []);

  const insert = useCallback(
    (path: string) => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      const sel = window.getSelection();
      let r = range.current && el.contains(range.current.startContainer) ? range.current : null;
      if (!r) {
        r = document.createRange();
        r.selectNodeContents(el);
        r.collapse(false);
      }
      r.deleteContents();
      const pill = makePill(toTemplate(path), labeller);
      const after = document.createTextNode(CARET_HOLDER);
      r.insertNode(after);
      r.insertNode(pill);
      r.setStartAfter(after);
      r.collapse(true);
      sel?.removeAllRanges();
      sel?.addRange(r);
      range.current = r.cloneRange();
      emit();
    },
    [emit, labeller],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (props.multiline) document.execCommand('insertLineBreak');
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    e.preventDefault();
    let text = e.clipboardData.getData('text/plain');
    if (!props.multiline) text = text.replace(/\s*\n\s*/g, ' ');
    document.execCommand('insertText', false, text);
    if (text.includes('{{') && ref.current) {
      // Pasted templates become pills.
      emit();
      renderValue(ref.current, shown.current ?? '', labeller);
      const r = document.createRange();
      r.selectNodeContents(ref.current);
      r.collapse(false);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(r);
    }
  };

  return (
    <div className={`pw-ed-template${props.multiline ? ' is-multiline' : ''}${props.invalid ? ' is-invalid' : ''}`}>
      {/* biome-ignore lint/a11y/useSemanticElements: a text box that holds pills cannot be an <input> */}
      <div
        ref={ref}
        id={props.id}
        className="pw-ed-template__input"
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        tabIndex={0}
        aria-multiline={props.multiline ? 'true' : 'false'}
        aria-label={props.label}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        data-placeholder={props.placeholder ?? ''}
        spellCheck
        onInput={emit}
        onKeyDown={onKeyDown}
        onKeyUp={saveRange}
        onMouseUp={saveRange}
        onBlur={saveRange}
        onPaste={onPaste}
      />
      <div className="pw-ed-template__tools">
        {props.extra}
        <DataPicker onPick={insert} label={`Insert data into “${props.label}”`} />
      </div>
    </div>
  );
}

/** A condition's field: one data path (no braces), picked from earlier steps. */
export function PathField(props: { value: string; onChange(path: string): void; label: string; invalid?: boolean }) {
  const { labeller } = usePicker();
  const single = props.value.trim();
  const text = single.startsWith('{{')
    ? describeExpression(single.slice(2, -2).trim(), labeller)
    : single
      ? describePathSafe(single, labeller)
      : '';
  return (
    <DataPicker onPick={props.onChange} label={props.label}>
      <button
        type="button"
        className={`pw-ed-pathfield${props.invalid ? ' is-invalid' : ''}${text ? '' : ' is-empty'}`}
        aria-label={props.label}
      >
        {text ? <span className="pw-ed-pill">{text}</span> : 'Choose a field…'}
      </button>
    </DataPicker>
  );
}

function describePathSafe(path: string, labeller: Labeller): string {
  return describeExpression(path, labeller);
}
