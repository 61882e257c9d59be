import { Copy, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Banner, Button, IconButton, LoadingBlock, PageHeader, SelectField, TextField, toast } from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';

/** Settings with their own control; everything else is listed under "Other settings". */
const TIMEZONE_KEY = 'timezone';
const KNOWN = new Set([TIMEZONE_KEY]);

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

  const values = settings.data ?? {};
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
