import { CircleAlert, CircleCheck, Plus, X } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import { RpcCallError, rpc } from '../rpc.ts';
import { Button, IconButton } from './button.tsx';
import { SelectField, TextField } from './field.tsx';

export type ConnectionApp = MethodOutput<'connections.apps'>[number];
export type SavedConnection = MethodOutput<'connections.add'>;

export interface ConnectionFormProps {
  apps: readonly ConnectionApp[];
  /** Only this app (e.g. the one a template's alias needs); otherwise the user picks one. */
  app?: string;
  /** Names already taken, to suggest a free one. */
  takenNames?: readonly string[];
  onSaved(connection: SavedConnection): void;
  onCancel?(): void;
  /** The submit button's words (default "Save connection"). */
  submitLabel?: string;
}

interface ExtraRow {
  key: string;
  value: string;
}

function suggestedName(app: string, taken: readonly string[]): string {
  const base = `${app}-main`;
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${app}-${n}`)) return `${app}-${n}`;
}

/**
 * A new connection: app, name, the API's address, the key and any extra settings the app needs.
 * The key is sent once to be stored encrypted and is never shown again.
 */
export function ConnectionForm({ apps, app: fixedApp, takenNames = [], onSaved, onCancel, submitLabel }: ConnectionFormProps) {
  const [app, setApp] = useState(fixedApp ?? apps[0]?.id ?? '');
  const [name, setName] = useState(() => (app ? suggestedName(app, takenNames) : ''));
  const [nameTouched, setNameTouched] = useState(false);
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [extras, setExtras] = useState<ExtraRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string } | null>(null);
  const chosen = apps.find((a) => a.id === app);

  useEffect(() => {
    if (!nameTouched && app) setName(suggestedName(app, takenNames));
  }, [app, nameTouched, takenNames]);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!apiKey.trim()) {
      setError({ text: 'Enter the API key (or access token) from the app’s settings.', field: 'apiKey' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await rpc.call('connections.add', {
        name: name.trim(),
        app,
        ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
        apiKey,
        extras: Object.fromEntries(extras.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
      });
      setApiKey('');
      onSaved(saved);
    } catch (err) {
      const field = err instanceof RpcCallError ? err.field : undefined;
      const text = (err as Error).message;
      setError({ text, field: field ?? (/\bname\b/i.test(text) ? 'name' : /base url|address/i.test(text) ? 'baseUrl' : undefined) });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: string) => (error?.field === field ? error.text : undefined);

  return (
    // Not a <form>: it may sit inside another dialog's form.
    <fieldset className="pw-conn-form" aria-label="New connection">
      {!fixedApp && (
        <SelectField
          label="App"
          value={app}
          onChange={(e) => setApp(e.target.value)}
          options={apps.map((a) => ({ value: a.id, label: a.name }))}
          help={chosen?.description}
        />
      )}
      <TextField
        label="Connection name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setNameTouched(true);
        }}
        help="A short name you choose, e.g. kanvo-main. Workflows refer to the connection by it."
        error={fieldError('name')}
        autoComplete="off"
      />
      <TextField
        label="Base URL"
        value={baseUrl}
        onChange={(e) => setBaseUrl(e.target.value)}
        placeholder={chosen?.defaultBaseUrl ?? 'https://…'}
        optional={Boolean(chosen?.defaultBaseUrl)}
        help={
          chosen?.defaultBaseUrl
            ? `The API's address. Leave empty to use ${chosen.defaultBaseUrl}.`
            : 'The API’s address, as the app’s developer settings show it.'
        }
        error={fieldError('baseUrl')}
        autoComplete="off"
        inputMode="url"
      />
      <TextField
        label="API key"
        type="password"
        value={apiKey}
        onChange={(e) => setApiKey(e.target.value)}
        help="Stored encrypted on this computer. It is never shown again, only its last characters."
        error={fieldError('apiKey')}
        autoComplete="new-password"
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <fieldset className="pw-conn-extras">
        <legend className="pw-field-label">
          Extra settings <span className="pw-field-optional">(optional)</span>
        </legend>
        <p className="pw-field-help">
          Some apps need more than a key, such as an entityId or a locationId. The app’s description says which.
        </p>
        {extras.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; they are only added at the end or removed.
          <div className="pw-conn-extra" key={i}>
            <input
              className="pw-input"
              aria-label={`Setting ${i + 1} name`}
              placeholder="Name, e.g. entityId"
              value={row.key}
              onChange={(e) => setExtras(extras.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
            />
            <input
              className="pw-input"
              aria-label={`Setting ${i + 1} value`}
              placeholder="Value"
              value={row.value}
              onChange={(e) => setExtras(extras.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
            />
            <IconButton
              label={`Remove setting ${i + 1}`}
              icon={<X size={14} />}
              onClick={() => setExtras(extras.filter((_, j) => j !== i))}
            />
          </div>
        ))}
        <div>
          <Button size="sm" variant="ghost" icon={<Plus size={14} />} onClick={() => setExtras([...extras, { key: '', value: '' }])}>
            Add a setting
          </Button>
        </div>
      </fieldset>
      {error && !error.field && (
        <p className="pw-field-error" role="alert">
          {error.text}
        </p>
      )}
      <div className="pw-conn-form-actions">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        )}
        <Button variant="primary" onClick={() => void submit()} loading={busy} disabled={!app}>
          {submitLabel ?? 'Save connection'}
        </Button>
      </div>
    </fieldset>
  );
}

export interface ConnectionTestProps {
  /** The saved connection to test. */
  name: string;
  size?: 'sm' | 'md';
}

/** "Test connection": asks the app with the stored key and says what it answered. */
export function ConnectionTestButton({ name, size = 'sm' }: ConnectionTestProps) {
  const [state, setState] = useState<{ busy: boolean; result?: { ok: boolean; message: string } }>({ busy: false });
  // A result belongs to the connection it was made with.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the connection changes.
  useEffect(() => setState({ busy: false }), [name]);
  const test = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: await rpc.call('connections.test', { name }) });
    } catch (err) {
      setState({ busy: false, result: { ok: false, message: (err as Error).message } });
    }
  };
  return (
    <div className="pw-conn-test">
      <Button size={size} onClick={() => void test()} loading={state.busy} aria-label={`Test connection ${name}`}>
        Test connection
      </Button>
      {state.result && (
        <span
          className={`pw-conn-test-result ${state.result.ok ? 'is-ok' : 'is-failed'}`}
          role="status"
          data-testid="connection-test-result"
        >
          {state.result.ok ? <CircleCheck size={14} aria-hidden="true" /> : <CircleAlert size={14} aria-hidden="true" />}
          {state.result.message}
        </span>
      )}
    </div>
  );
}
