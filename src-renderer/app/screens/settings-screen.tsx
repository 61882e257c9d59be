import { Copy, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Banner, Button, IconButton, LoadingBlock, PageHeader, SelectField, TextField, toast } from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';

/** Settings with their own control; everything else is listed under "Other settings". */
const TIMEZONE_KEY = 'timezone';
const LIVE_KEYS = {
  publicUrl: 'webhooks.publicUrl',
  host: 'webhooks.host',
  port: 'webhooks.port',
  pollSeconds: 'webhooks.pollSeconds',
  pauseAfter: 'workflows.pauseAfterFailures',
  keepDays: 'inbox.keepDays',
} as const;
const KNOWN = new Set<string>([TIMEZONE_KEY, ...Object.values(LIVE_KEYS)]);

/** Checks a public address before it is saved; returns the problem in plain words. */
function publicUrlProblem(text: string): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an address that starts with https://';
    if (url.search || url.hash) return 'Leave out anything after ? or #.';
    return undefined;
  } catch {
    return 'This is not a web address; it looks like https://hooks.example.com';
  }
}

function NumberSetting(props: { label: string; value: number; min: number; max: number; onSave: (value: number) => void }) {
  const [error, setError] = useState<string>();
  return (
    <TextField
      label={props.label}
      className="pw-sr-label"
      type="number"
      min={props.min}
      max={props.max}
      defaultValue={String(props.value)}
      error={error}
      onBlur={(e) => {
        const n = Number(e.target.value);
        if (!Number.isInteger(n) || n < props.min || n > props.max) {
          setError(`Enter a whole number from ${props.min} to ${props.max}.`);
          return;
        }
        setError(undefined);
        if (n !== props.value) props.onSave(n);
      }}
    />
  );
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function Row({ label, help, children }: { label: string; help?: string; children: ReactNode }) {
  return (
    <div className="pw-settings-row">
      <div className="pw-settings-row-label">
        <strong>{label}</strong>
        {help && <span>{help}</span>}
      </div>
      <div className="pw-settings-control">{children}</div>
    </div>
  );
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Typed text becomes JSON when it is JSON (numbers, true/false, lists), a string otherwise. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function SettingsScreen() {
  const info = useRpc('app.info', {});
  const settings = useRpc('settings.get', {});
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const [keyError, setKeyError] = useState<string>();
  const zones = useMemo(() => {
    const all = Intl.supportedValuesOf('timeZone');
    return all.includes('UTC') ? all : ['UTC', ...all];
  }, []);

  const save = async (key: string, value: unknown, label: string, previous?: unknown) => {
    try {
      await rpc.call('settings.set', { key, value });
      toast.success(`${label} saved`, {
        action:
          previous === undefined
            ? undefined
            : {
                label: 'Undo',
                onClick: () => void save(key, previous, label),
              },
      });
    } catch (err) {
      reportError(`Could not save ${label.toLowerCase()}`, err);
    }
    await settings.reload();
  };

  const [urlError, setUrlError] = useState<string>();
  const values = settings.data ?? {};
  const publicUrl = typeof values[LIVE_KEYS.publicUrl] === 'string' ? (values[LIVE_KEYS.publicUrl] as string) : '';
  const host = typeof values[LIVE_KEYS.host] === 'string' ? (values[LIVE_KEYS.host] as string) : '127.0.0.1';
  const timezone = typeof values[TIMEZONE_KEY] === 'string' ? (values[TIMEZONE_KEY] as string) : '';
  const others = Object.entries(values).filter(([key, value]) => !KNOWN.has(key) && value !== null);

  const addSetting = async (event: FormEvent) => {
    event.preventDefault();
    const key = newKey.trim();
    if (!key) return setKeyError('Give the setting a name.');
    if (key in values && values[key] !== null) return setKeyError(`"${key}" already exists; change it in the list above.`);
    setKeyError(undefined);
    await save(key, parseValue(newValue), `Setting "${key}"`);
    setNewKey('');
    setNewValue('');
  };

  return (
    <div className="pw-page">
      <PageHeader title="Settings" description="How Pipewright behaves on this computer, and where it keeps your data." />

      {(settings.error || info.error) && (
        <Banner tone="danger" title="Some settings could not be loaded">
          {settings.error ?? info.error}
        </Banner>
      )}

      <section className="pw-card" aria-labelledby="settings-general">
        <div className="pw-card-header">
          <div>
            <h2 id="settings-general">General</h2>
            <p>Defaults for new workflows.</p>
          </div>
        </div>
        {settings.loading ? (
          <LoadingBlock />
        ) : (
          <Row label="Default time zone" help="Used for dates, due dates and schedules unless a workflow sets its own.">
            <SelectField
              label="Default time zone"
              className="pw-sr-label"
              value={timezone}
              onChange={(e) => void save(TIMEZONE_KEY, e.target.value || null, 'Default time zone', timezone || null)}
              options={zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))}
              placeholder={`This computer's time zone (${localZone().replace(/_/g, ' ')})`}
            />
          </Row>
        )}
      </section>

      <section className="pw-card" aria-labelledby="settings-live">
        <div className="pw-card-header">
          <div>
            <h2 id="settings-live">Receiving events</h2>
            <p>
              How live workflows hear about changes in your other CRMs. Without a public address, Pipewright checks them for changes on an
              interval instead.
            </p>
          </div>
        </div>
        {settings.loading ? (
          <LoadingBlock />
        ) : (
          <>
            <Row
              label="Public address"
              help="The address the internet reaches this computer's webhook port at, through a tunnel or reverse proxy (e.g. https://hooks.example.com). Used when a workflow goes live."
            >
              <TextField
                label="Public address"
                className="pw-sr-label"
                defaultValue={publicUrl}
                placeholder="Not set: changes are checked on an interval"
                style={{ width: 'min(420px, 100%)' }}
                error={urlError}
                onBlur={(e) => {
                  const text = e.target.value.trim();
                  const problem = publicUrlProblem(text);
                  setUrlError(problem);
                  if (!problem && text !== publicUrl) void save(LIVE_KEYS.publicUrl, text || null, 'Public address', publicUrl || null);
                }}
              />
            </Row>
            <Row label="Webhook port" help="Where webhooks are received on this computer. Takes effect when Pipewright restarts.">
              <NumberSetting
                label="Webhook port"
                value={numberOr(values[LIVE_KEYS.port], 4311)}
                min={1024}
                max={65535}
                onSave={(n) => void save(LIVE_KEYS.port, n, 'Webhook port', values[LIVE_KEYS.port] ?? null)}
              />
            </Row>
            <Row
              label="Listen on"
              help="Keep “This computer only” when a tunnel or proxy on this computer forwards webhooks. Takes effect when Pipewright restarts."
            >
              <SelectField
                label="Listen on"
                className="pw-sr-label"
                value={host}
                onChange={(e) => void save(LIVE_KEYS.host, e.target.value, 'Listen on', host)}
                options={[
                  { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' },
                  { value: '0.0.0.0', label: 'Every network this computer is on (0.0.0.0)' },
                ]}
              />
            </Row>
            <Row label="Check for changes every" help="Seconds between checks for triggers that have no public address (at least 5).">
              <NumberSetting
                label="Seconds between checks"
                value={numberOr(values[LIVE_KEYS.pollSeconds], 60)}
                min={5}
                max={86400}
                onSave={(n) => void save(LIVE_KEYS.pollSeconds, n, 'Check interval', values[LIVE_KEYS.pollSeconds] ?? null)}
              />
            </Row>
            <Row
              label="Pause a workflow after"
              help="Failed runs in a row before Pipewright pauses a live workflow and tells you (0 never pauses)."
            >
              <NumberSetting
                label="Failed runs in a row"
                value={numberOr(values[LIVE_KEYS.pauseAfter], 5)}
                min={0}
                max={1000}
                onSave={(n) => void save(LIVE_KEYS.pauseAfter, n, 'Pause threshold', values[LIVE_KEYS.pauseAfter] ?? null)}
              />
            </Row>
            <Row
              label="Keep events for"
              help="Days the Events list keeps received events; a delivery repeated within them is recognised as a duplicate. Events still waiting are always kept."
            >
              <NumberSetting
                label="Days"
                value={numberOr(values[LIVE_KEYS.keepDays], 30)}
                min={1}
                max={3650}
                onSave={(n) => void save(LIVE_KEYS.keepDays, n, 'Event retention', values[LIVE_KEYS.keepDays] ?? null)}
              />
            </Row>
          </>
        )}
      </section>

      <section className="pw-card" aria-labelledby="settings-other">
        <div className="pw-card-header">
          <div>
            <h2 id="settings-other">Other settings</h2>
            <p>Named values for advanced options. Changes are saved when you leave the field.</p>
          </div>
        </div>
        {others.map(([key, value]) => (
          <Row key={key} label={key}>
            <input
              className="pw-input"
              aria-label={`Value of ${key}`}
              defaultValue={display(value)}
              onBlur={(e) => {
                if (e.target.value !== display(value)) void save(key, parseValue(e.target.value), `Setting "${key}"`, value);
              }}
            />
            <IconButton
              label={`Remove ${key}`}
              icon={<Trash2 size={15} />}
              onClick={() => void save(key, null, `Setting "${key}"`, value)}
            />
          </Row>
        ))}
        <form className="pw-settings-row" onSubmit={addSetting} aria-label="Add a setting">
          <div className="pw-settings-row-label">
            <strong>Add a setting</strong>
            <span>Only needed when the documentation asks for one.</span>
          </div>
          <div className="pw-settings-control" style={{ alignItems: 'flex-start' }}>
            <TextField
              label="Name"
              value={newKey}
              onChange={(e) => setNewKey(e.target.value)}
              placeholder="e.g. maxChainDepth"
              error={keyError}
            />
            <TextField label="Value" value={newValue} onChange={(e) => setNewValue(e.target.value)} placeholder="e.g. 5" />
            <Button type="submit" icon={<Plus size={16} />} style={{ marginTop: 25 }}>
              Add
            </Button>
          </div>
        </form>
      </section>

      <section className="pw-card" aria-labelledby="settings-about">
        <div className="pw-card-header">
          <div>
            <h2 id="settings-about">About</h2>
            <p>Include these when you ask for help.</p>
          </div>
        </div>
        {info.loading ? (
          <LoadingBlock />
        ) : info.data ? (
          <>
            <Row label="Version">
              <span>
                {info.data.version} · {info.data.edition === 'desktop' ? 'Desktop app' : 'Browser edition'}
              </span>
            </Row>
            <Row
              label="Data directory"
              help="Your workflows, run history, CRM data and encrypted keys live here. Back it up to keep them safe."
            >
              <div className="pw-copy-value">
                <code title={info.data.dataDir}>{info.data.dataDir}</code>
                <IconButton
                  label="Copy path"
                  icon={<Copy size={15} />}
                  onClick={async () => {
                    try {
                      await navigator.clipboard.writeText(info.data?.dataDir ?? '');
                      toast.success('Path copied');
                    } catch {
                      toast.error('Could not copy', { description: 'Select the path and copy it by hand.' });
                    }
                  }}
                />
              </div>
            </Row>
          </>
        ) : null}
      </section>
    </div>
  );
}
