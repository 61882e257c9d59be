import { CircleAlert, CircleCheck, Plus, X } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import { RpcCallError, rpc } from '../rpc.ts';
import { Button, IconButton } from './button.tsx';
import { SelectField, TextField } from './field.tsx';

export type ConnectionApp = MethodOutput<'connections.apps'>[number];
export type SavedConnection = MethodOutput<'connections.add'>;
/** A saved connection as the list gives it, to edit. */
export type EditableConnection = MethodOutput<'connections.list'>[number];

export interface ConnectionFormProps {
  apps: readonly ConnectionApp[];
  /** Only this app (e.g. the one a template's alias needs); otherwise the user picks one. */
  app?: string;
  /** Names already taken, to suggest a free one. */
  takenNames?: readonly string[];
  /** Edit this connection instead of adding one: its name and app stay, an empty key keeps the stored one. */
  connection?: EditableConnection;
  onSaved(connection: SavedConnection): void;
  onCancel?(): void;
  /** The submit button's words (default "Save connection", or "Save changes" when editing). */
  submitLabel?: string;
}

interface ExtraRow {
  key: string;
  value: string;
}

/** Rates as the fields show them: at most three decimals, no trailing zeros. */
const rateText = (value: number | undefined) => (value === undefined ? '' : String(Number(value.toFixed(3))));

function perSecond(rate: { requestsPerSecond: number; burst: number }): string {
  return `${rateText(rate.requestsPerSecond)} requests per second, bursts of ${rate.burst}`;
}

type RateField = 'rateLimit.requestsPerSecond' | 'rateLimit.burst';

/** The rate limit the fields describe: null for both empty, or the first problem with its field. */
function parseRate(
  rps: string,
  burst: string,
): { value: { requestsPerSecond: number; burst: number } | null } | { field: RateField; text: string } {
  if (!rps.trim() && !burst.trim()) return { value: null };
  const rate = Number(rps);
  const count = Number(burst);
  if (!rps.trim() || !Number.isFinite(rate) || rate <= 0 || rate > 10_000) {
    return { field: 'rateLimit.requestsPerSecond', text: 'Enter a number above 0 (at most 10,000), or leave both fields empty.' };
  }
  if (!burst.trim() || !Number.isInteger(count) || count < 1 || count > 100_000) {
    return { field: 'rateLimit.burst', text: 'Enter a whole number from 1 to 100,000, or leave both fields empty.' };
  }
  return { value: { requestsPerSecond: rate, burst: count } };
}

function suggestedName(app: string, taken: readonly string[]): string {
  const base = `${app}-main`;
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${app}-${n}`)) return `${app}-${n}`;
}

/**
 * A connection: app, name, the API's address, the key and any extra settings the app needs. The
 * key is sent once to be stored encrypted and is never shown again, so editing starts with an
 * empty key field that keeps the stored key unless something is typed in it.
 */
export function ConnectionForm({ apps, app: fixedApp, takenNames = [], connection, onSaved, onCancel, submitLabel }: ConnectionFormProps) {
  const editing = connection !== undefined;
  const [app, setApp] = useState(connection?.app ?? fixedApp ?? apps[0]?.id ?? '');
  const [name, setName] = useState(() => connection?.name ?? (app ? suggestedName(app, takenNames) : ''));
  const [nameTouched, setNameTouched] = useState(editing);
  const [baseUrl, setBaseUrl] = useState(connection?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [extras, setExtras] = useState<ExtraRow[]>(() => Object.entries(connection?.extras ?? {}).map(([key, value]) => ({ key, value })));
  const initialRate = [rateText(connection?.rateLimit?.requestsPerSecond), rateText(connection?.rateLimit?.burst)] as const;
  const [rps, setRps] = useState<string>(initialRate[0]);
  const [burst, setBurst] = useState<string>(initialRate[1]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string } | null>(null);
  const chosen = apps.find((a) => a.id === app);
  const appName = chosen?.name ?? app;
  const extrasValue = Object.fromEntries(extras.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));

  useEffect(() => {
    if (!nameTouched && app) setName(suggestedName(app, takenNames));
  }, [app, nameTouched, takenNames]);

  const save = async (): Promise<SavedConnection | undefined> => {
    if (connection) {
      const rate = parseRate(rps, burst);
      if ('field' in rate) {
        setError({ text: rate.text, field: rate.field });
        return;
      }
      const rateChanged = rps !== initialRate[0] || burst !== initialRate[1];
      return rpc.call('connections.update', {
        name: connection.name,
        baseUrl: baseUrl.trim(),
        ...(apiKey.trim() ? { apiKey } : {}),
        extras: extrasValue,
        ...(rateChanged ? { rateLimit: rate.value } : {}),
      });
    }
    if (!apiKey.trim()) {
      setError({ text: 'Enter the API key (or access token) from the app’s settings.', field: 'apiKey' });
      return;
    }
    return rpc.call('connections.add', {
      name: name.trim(),
      app,
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
      apiKey,
      extras: extrasValue,
    });
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await save();
      if (saved) {
        setApiKey('');
        onSaved(saved);
      }
    } catch (err) {
      const field = err instanceof RpcCallError ? err.field : undefined;
      const text = (err as Error).message;
      setError({ text, field: field ?? (/\bname\b/i.test(text) ? 'name' : /base url|address/i.test(text) ? 'baseUrl' : undefined) });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: string) => (error?.field === field ? error.text : undefined);
  // An error belongs to the value it was about; editing that field clears it.
  const edited = (field: string) => {
    if (error?.field === field) setError(null);
  };
  const shownErrorFields = ['name', 'baseUrl', 'apiKey', ...(editing ? ['rateLimit.requestsPerSecond', 'rateLimit.burst'] : [])];
  const defaultRate = chosen?.defaultRateLimit;

  return (
    // Not a <form>: it may sit inside another dialog's form.
    <fieldset className="pw-conn-form" aria-label={editing ? 'Edit connection' : 'New connection'}>
      {editing ? (
        <div>
          <div className="pw-conn-pair">
            <TextField label="App" value={appName} readOnly />
            <TextField label="Connection name" value={name} readOnly className="pw-conn-name" />
          </div>
          <p className="pw-field-help pw-conn-pair-help">Workflows find the connection by its app and name, so these cannot change.</p>
        </div>
      ) : (
        <>
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
              edited('name');
            }}
            help="A short name you choose, e.g. kanvo-main. Workflows refer to the connection by it."
            error={fieldError('name')}
            autoComplete="off"
          />
        </>
      )}
      <TextField
        label="Base URL"
        value={baseUrl}
        onChange={(e) => {
          setBaseUrl(e.target.value);
          edited('baseUrl');
        }}
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
        label={editing ? 'New API key' : 'API key'}
        type="password"
        value={apiKey}
        onChange={(e) => {
          setApiKey(e.target.value);
          edited('apiKey');
        }}
        optional={editing}
        help={
          editing
            ? `Leave empty to keep the current key${connection?.secretHint ? ` (ending in ${connection.secretHint.replace(/^•+/, '')})` : ''}. A new key is stored encrypted and never shown again.`
            : 'Stored encrypted on this computer. It is never shown again, only its last characters.'
        }
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
      {editing && (
        <fieldset className="pw-conn-extras">
          <legend className="pw-field-label">
            Rate limit <span className="pw-field-optional">(optional)</span>
          </legend>
          <p className="pw-field-help">
            How fast Pipewright may call {appName} with this connection, across all workflows. Leave both empty for{' '}
            {defaultRate ? `${appName}’s default: ${perSecond(defaultRate)}.` : 'the app’s default.'}
          </p>
          <div className="pw-conn-pair">
            <TextField
              label="Requests per second"
              value={rps}
              onChange={(e) => {
                setRps(e.target.value);
                edited('rateLimit.requestsPerSecond');
              }}
              placeholder={rateText(defaultRate?.requestsPerSecond)}
              inputMode="decimal"
              autoComplete="off"
              error={fieldError('rateLimit.requestsPerSecond')}
            />
            <TextField
              label="Burst"
              value={burst}
              onChange={(e) => {
                setBurst(e.target.value);
                edited('rateLimit.burst');
              }}
              placeholder={rateText(defaultRate?.burst)}
              inputMode="numeric"
              autoComplete="off"
              error={fieldError('rateLimit.burst')}
            />
          </div>
        </fieldset>
      )}
      {error && !(error.field && shownErrorFields.includes(error.field)) && (
        <p className="pw-field-error" role="alert">
          {error.text}
        </p>
      )}
      {connection && (
        <div className="pw-conn-form-test">
          <ConnectionTestButton
            name={connection.name}
            draft={{ baseUrl: baseUrl.trim(), ...(apiKey.trim() ? { apiKey } : {}), extras: extrasValue }}
          />
        </div>
      )}
      <div className="pw-conn-form-actions">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        )}
        <Button variant="primary" onClick={() => void submit()} loading={busy} disabled={!app}>
          {submitLabel ?? (editing ? 'Save changes' : 'Save connection')}
        </Button>
      </div>
    </fieldset>
  );
}

export interface ConnectionTestProps {
  /** The saved connection to test. */
  name: string;
  /** Unsaved changes to test instead of the stored values (an empty key keeps the stored one). */
  draft?: { baseUrl?: string; apiKey?: string; extras?: Record<string, string> };
  size?: 'sm' | 'md';
}

/** "Test connection": asks the app with the stored key and says what it answered. */
export function ConnectionTestButton({ name, draft, size = 'sm' }: ConnectionTestProps) {
  const [state, setState] = useState<{ busy: boolean; result?: { ok: boolean; message: string } }>({ busy: false });
  const draftKey = JSON.stringify(draft ?? null);
  // A result belongs to the connection (and the changes) it was made with.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the connection or the changes change.
  useEffect(() => setState({ busy: false }), [name, draftKey]);
  const resultRef = useRef<HTMLSpanElement>(null);
  // In a long dialog the answer may land below the fold.
  useEffect(() => {
    if (state.result) resultRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [state.result]);
  const test = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: await rpc.call('connections.test', { name, ...draft }) });
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
          ref={resultRef}
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
