import { ArrowLeft, ArrowRight, CircleAlert, CircleCheck, CircleDashed, FlaskConical, Pencil, Plus, Upload } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import type { MethodInput, MethodOutput, TemplateCheckItem, TemplatePlan } from '../../../src-main/shared/contract.ts';
import type { RunResult } from '../../../src-main/shared/runs.ts';
import {
  Banner,
  Button,
  type ConnectionApp,
  ConnectionForm,
  ConnectionTestButton,
  Dialog,
  LoadingBlock,
  SelectField,
  TextField,
  toast,
} from '../../components/index.ts';
import { setRun, useEditor } from '../../editor/store.ts';
import { RpcCallError, rpc } from '../../rpc.ts';
import { navigate, workflowHref } from '../router.ts';
import { errorMessage } from '../store.ts';

/**
 * The import wizard: (1) a connection for each of the template's aliases, picked or added here;
 * (2) the account checked: each missing object type, pipeline or stage mapped to one that exists or
 * created, and the values only the importer knows; (3) imported as a draft, then a dry run in the
 * editor. It opens from the gallery, from a file, from the clipboard or from a file dropped on the window.
 */

/** Which template the wizard imports: a gallery id, or a document the user gave. */
export interface TemplateSource {
  template?: string;
  document?: unknown;
  fileName?: string;
}

const useWizard = create<{ source: TemplateSource | null }>(() => ({ source: null }));

export function openImportWizard(source: TemplateSource): void {
  useWizard.setState({ source });
}

/** Reads a template file the user picked or dropped; text that is not JSON still opens the wizard, which says so. */
export async function openTemplateFile(file: File): Promise<void> {
  const text = await file.text();
  openImportWizard({ document: parseLoosely(text), fileName: file.name });
}

/** JSON when it parses; otherwise the text itself, so the main side reports it as "not valid JSON". */
export function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Mounted once by the shell: the wizard, wherever it was opened from. */
export function ImportWizardHost() {
  const source = useWizard((s) => s.source);
  if (!source) return null;
  return <ImportWizard key={JSON.stringify(source).slice(0, 200)} source={source} onClose={() => useWizard.setState({ source: null })} />;
}

/** A template file dropped anywhere on the window opens the wizard with it. */
export function TemplateDropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Boolean(e.dataTransfer?.types.includes('Files'));
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      if (!/\.json$/i.test(file.name) && file.type !== 'application/json') {
        toast.error(`"${file.name}" is not a template file`, { description: 'Templates are .json files exported from Pipewright.' });
        return;
      }
      void openTemplateFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="pw-tpl-drop" aria-hidden="true">
      <div className="pw-tpl-drop-card">
        <Upload size={26} />
        <strong>Drop the template file to import it</strong>
        <span>Nothing is saved until you confirm.</span>
      </div>
    </div>
  );
}

// ----- The wizard ------------------------------------------------------------------------------

type Loaded = MethodOutput<'templates.get'>;
type Connection = MethodOutput<'connections.list'>[number];
type Imported = MethodOutput<'templates.import'>;
type Step = 'connections' | 'check' | 'import';
type Decision = { action: 'map'; to: string } | { action: 'create' } | { action: 'none' };

const STRUCTURAL = new Set<TemplateCheckItem['kind']>(['objectType', 'pipeline', 'stage']);
const MAPPING_KEY = { objectType: 'objectTypes', pipeline: 'pipelines', stage: 'stages' } as const;
const NOUN: Record<string, string> = { objectType: 'Object type', pipeline: 'Pipeline', stage: 'Stage' };

const itemKey = (item: TemplateCheckItem) => `${item.kind}:${item.name}`;

function defaultDecision(item: TemplateCheckItem): Decision {
  if (item.candidate) return { action: 'map', to: item.candidate };
  if (item.canCreate) return { action: 'create' };
  return { action: 'none' };
}

function ImportWizard({ source, onClose }: { source: TemplateSource; onClose(): void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [refused, setRefused] = useState<{ text: string; issues: string[] } | null>(null);
  const [connections, setConnections] = useState<Connection[]>([]);
  const [apps, setApps] = useState<ConnectionApp[]>([]);
  const [step, setStep] = useState<Step>('connections');
  const [bindings, setBindings] = useState<Record<string, string>>({});
  const [decisions, setDecisions] = useState<Record<string, Decision>>({});
  const [values, setValues] = useState<Record<string, string>>({});
  const [imported, setImported] = useState<Imported | null>(null);

  const loadConnections = useCallback(async () => {
    const list = await rpc.call('connections.list', {});
    setConnections(list);
    return list;
  }, []);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [got, list, appList] = await Promise.all([
          rpc.call('templates.get', source),
          rpc.call('connections.list', {}),
          rpc.call('connections.apps', {}),
        ]);
        if (!live) return;
        setConnections(list);
        setApps(appList);
        // The only connection of an app is the natural choice.
        const initial: Record<string, string> = {};
        for (const need of got.requirements.connections) {
          const ofApp = list.filter((c) => c.app === need.app);
          initial[need.alias] = ofApp.length === 1 ? (ofApp[0]?.name ?? '') : '';
        }
        setBindings(initial);
        setStep(got.requirements.connections.length ? 'connections' : 'check');
        setLoaded(got);
      } catch (err) {
        if (!live) return;
        setRefused({ text: errorMessage(err), issues: err instanceof RpcCallError ? err.issues.map((i) => i.message) : [] });
      }
    })();
    return () => {
      live = false;
    };
  }, [source]);

  const name = loaded?.summary.name ?? source.fileName;
  const steps: { id: Step; label: string }[] = [
    ...(loaded?.requirements.connections.length ? [{ id: 'connections' as const, label: 'Connections' }] : []),
    { id: 'check', label: 'Check your account' },
    { id: 'import', label: 'Import' },
  ];

  let body: ReactNode;
  let footer: ReactNode;
  if (refused) {
    body = (
      <div className="pw-tpl-refused" data-testid="template-refused">
        <Banner tone="danger" title="This template cannot be used">
          {refused.issues.length > 1 ? `It has ${refused.issues.length} problems:` : refused.issues.length === 0 ? refused.text : undefined}
          {refused.issues.length > 0 && (
            <ul className="pw-issue-list pw-tpl-problems" aria-label="Problems with the template">
              {refused.issues.map((issue) => (
                <li key={issue}>{issue}</li>
              ))}
            </ul>
          )}
        </Banner>
        <p className="pw-muted">Nothing was imported. Fix the file, or ask whoever shared it for a new export.</p>
      </div>
    );
    footer = (
      <Button variant="primary" onClick={onClose}>
        Close
      </Button>
    );
  } else if (!loaded) {
    body = <LoadingBlock label="Reading the template…" />;
  } else if (imported) {
    return <ImportedDialog imported={imported} onClose={onClose} />;
  } else if (step === 'connections') {
    const missing = loaded.requirements.connections.filter((c) => !bindings[c.alias]);
    body = (
      <ConnectionsStep
        needs={loaded.requirements.connections}
        connections={connections}
        apps={apps}
        bindings={bindings}
        onBind={(alias, connection) => setBindings((b) => ({ ...b, [alias]: connection }))}
        onCreated={async (alias, connection) => {
          await loadConnections();
          setBindings((b) => ({ ...b, [alias]: connection }));
        }}
      />
    );
    footer = (
      <>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button
          variant="primary"
          disabled={missing.length > 0}
          title={missing.length ? 'Choose or add a connection for each app first.' : undefined}
          onClick={() => setStep('check')}
        >
          Next: check your account <ArrowRight size={14} aria-hidden="true" />
        </Button>
      </>
    );
  } else {
    return (
      <CheckAndImport
        source={source}
        loaded={loaded}
        name={loaded.summary.name}
        steps={steps}
        step={step}
        setStep={setStep}
        bindings={bindings}
        decisions={decisions}
        setDecisions={setDecisions}
        values={values}
        setValues={setValues}
        onImported={setImported}
        onClose={onClose}
      />
    );
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={name ? `Import “${name}”` : 'Import a template'}
      description={loaded ? <StepIndicator steps={steps} current={step} /> : undefined}
      width={680}
      footer={footer}
    >
      {body}
    </Dialog>
  );
}

function StepIndicator({ steps, current }: { steps: { id: Step; label: string }[]; current: Step }) {
  const at = steps.findIndex((s) => s.id === current);
  return (
    <span className="pw-tpl-steps">
      {steps.map((s, i) => (
        <span
          key={s.id}
          className={`pw-tpl-step${i === at ? ' is-current' : i < at ? ' is-done' : ''}`}
          aria-current={i === at ? 'step' : undefined}
        >
          <span className="pw-tpl-step-num">{i < at ? '✓' : i + 1}</span>
          {s.label}
        </span>
      ))}
    </span>
  );
}

// ----- Step 1: connections ---------------------------------------------------------------------

const NEW = '__new__';

function ConnectionsStep(props: {
  needs: Loaded['requirements']['connections'];
  connections: Connection[];
  apps: ConnectionApp[];
  bindings: Record<string, string>;
  onBind(alias: string, connection: string): void;
  onCreated(alias: string, connection: string): Promise<void>;
}) {
  const [adding, setAdding] = useState<string | null>(() => {
    // With no connection of its app yet, the form is the only way forward: show it at once.
    const first = props.needs.find((n) => !props.connections.some((c) => c.app === n.app));
    return first?.alias ?? null;
  });
  return (
    <div className="pw-tpl-section-list">
      <p className="pw-muted">
        This template works with {props.needs.length === 1 ? 'one app' : `${props.needs.length} apps`}. Choose which of your connections
        each one uses, or add a new one.
      </p>
      {props.needs.map((need) => {
        const ofApp = props.connections.filter((c) => c.app === need.app);
        const chosen = props.bindings[need.alias] ?? '';
        return (
          <section key={need.alias} className="pw-tpl-need" aria-label={`${need.appName} connection “${need.alias}”`}>
            <div className="pw-tpl-need-head">
              <span className="pw-app-icon" aria-hidden="true">
                {need.appName.slice(0, 2)}
              </span>
              <div>
                <h3>
                  {need.appName} <span className="pw-muted">· “{need.alias}”</span>
                </h3>
                <p className="pw-field-help">
                  {need.access === 'write' ? 'Reads and changes data' : 'Reads data'} in{' '}
                  {need.steps.length === 1 ? 'the step' : 'the steps'} {need.steps.map((s) => `“${s}”`).join(', ')}.
                  {need.scopes.length > 0 && ` The key needs: ${need.scopes.join(', ')}.`}
                </p>
              </div>
            </div>
            {adding === need.alias ? (
              <div className="pw-tpl-inline-form">
                <h4>New {need.appName} connection</h4>
                <ConnectionForm
                  apps={props.apps}
                  app={need.app}
                  takenNames={props.connections.map((c) => c.name)}
                  onSaved={async (saved) => {
                    await props.onCreated(need.alias, saved.name);
                    setAdding(null);
                    toast.success(`Connection “${saved.name}” added`, { description: 'Test it to make sure the key works.' });
                  }}
                  onCancel={ofApp.length ? () => setAdding(null) : undefined}
                />
              </div>
            ) : (
              <div className="pw-tpl-bind">
                <SelectField
                  label={`Connection for ${need.appName}`}
                  value={chosen}
                  placeholder={ofApp.length ? 'Choose a connection…' : 'No connection yet'}
                  options={[
                    ...ofApp.map((c) => ({ value: c.name, label: `${c.name}${c.baseUrl ? ` (${c.baseUrl})` : ''}` })),
                    { value: NEW, label: `＋ Add a new ${need.appName} connection…` },
                  ]}
                  onChange={(e) => {
                    if (e.target.value === NEW) setAdding(need.alias);
                    else props.onBind(need.alias, e.target.value);
                  }}
                />
                {chosen && <ConnectionTestButton name={chosen} />}
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}

// ----- Steps 2 and 3: check, then import -------------------------------------------------------

interface CheckProps {
  source: TemplateSource;
  loaded: Loaded;
  name: string;
  steps: { id: Step; label: string }[];
  step: Step;
  setStep(step: Step): void;
  bindings: Record<string, string>;
  decisions: Record<string, Decision>;
  setDecisions(update: (d: Record<string, Decision>) => Record<string, Decision>): void;
  values: Record<string, string>;
  setValues(update: (v: Record<string, string>) => Record<string, string>): void;
  onImported(result: Imported): void;
  onClose(): void;
}

type Choices = Pick<MethodInput<'templates.import'>, 'bindings' | 'mappings' | 'values'> & { createMissing: boolean };

function choicesOf(decisions: Record<string, Decision>, values: Record<string, string>, bindings: Record<string, string>): Choices {
  const mappings: { stages: Record<string, string>; objectTypes: Record<string, string>; pipelines: Record<string, string> } = {
    stages: {},
    objectTypes: {},
    pipelines: {},
  };
  let createMissing = false;
  for (const [key, decision] of Object.entries(decisions)) {
    const [kind = '', ...rest] = key.split(':');
    const name = rest.join(':');
    const target = MAPPING_KEY[kind as keyof typeof MAPPING_KEY];
    if (!target) continue;
    if (decision.action === 'map') mappings[target][name] = decision.to;
    if (decision.action === 'create') createMissing = true;
  }
  const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
  return { bindings, mappings, values: filled, createMissing };
}

function CheckAndImport(props: CheckProps) {
  const { source, bindings, decisions, values } = props;
  /** The account as it is, without mappings: what is missing and what to offer instead. */
  const [base, setBase] = useState<TemplatePlan | null>(null);
  /** With the current choices: what is still in the way. */
  const [current, setCurrent] = useState<TemplatePlan | null>(null);
  const [checking, setChecking] = useState(true);
  const [failure, setFailure] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<{ text: string; issues: string[] } | null>(null);
  const setDecisions = props.setDecisions;

  useEffect(() => {
    let live = true;
    setChecking(true);
    rpc
      .call('templates.plan', { ...source, bindings })
      .then((plan) => {
        if (!live) return;
        setBase(plan);
        setDecisions((d) => {
          const next = { ...d };
          for (const item of plan.report.items)
            if (item.status === 'missing' && STRUCTURAL.has(item.kind)) next[itemKey(item)] ??= defaultDecision(item);
          return next;
        });
      })
      .catch((err) => live && setFailure(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [source, bindings, setDecisions]);

  const choices = useMemo(() => choicesOf(decisions, values, bindings), [decisions, values, bindings]);
  const choicesKey = JSON.stringify(choices);
  const ticket = useRef(0);
  useEffect(() => {
    if (!base) return;
    const mine = ++ticket.current;
    setChecking(true);
    const timer = setTimeout(() => {
      const { createMissing: _create, ...chosen } = JSON.parse(choicesKey) as Choices;
      rpc
        .call('templates.plan', { ...source, ...chosen })
        .then((plan) => {
          if (mine !== ticket.current) return;
          setCurrent(plan);
          setChecking(false);
          // Mapping a pipeline can reveal its stages as missing: they get a choice too.
          setDecisions((d) => {
            let next = d;
            for (const item of plan.report.items) {
              if (item.status !== 'missing' || !STRUCTURAL.has(item.kind) || d[itemKey(item)]) continue;
              next = { ...next, [itemKey(item)]: defaultDecision(item) };
            }
            return next;
          });
        })
        .catch((err) => {
          if (mine !== ticket.current) return;
          setFailure(errorMessage(err));
          setChecking(false);
        });
    }, 250);
    return () => clearTimeout(timer);
  }, [base, choicesKey, source, setDecisions]);

  // Items to decide on: missing now or before any mapping, in the order the check found them.
  const decidable = useMemo(() => {
    const seen = new Map<string, TemplateCheckItem>();
    for (const plan of [base, current])
      for (const item of plan?.report.items ?? []) {
        if (item.status === 'missing' && STRUCTURAL.has(item.kind) && !seen.has(itemKey(item))) seen.set(itemKey(item), item);
      }
    return [...seen.values()].filter((item) => decisions[itemKey(item)]);
  }, [base, current, decisions]);

  const inputs = props.loaded.requirements.inputs;
  const blocking = (current?.report.items ?? []).filter(
    (i) => i.status === 'missing' && !(STRUCTURAL.has(i.kind) && decisions[itemKey(i)]?.action === 'create'),
  );
  const problems = current?.problems ?? [];
  const ready = Boolean(current) && !checking && blocking.length === 0 && problems.length === 0;
  const unchecked = (current ?? base)?.report.items.filter((i) => i.status === 'unchecked') ?? [];
  const found = (base?.report.items ?? []).filter((i) => i.status === 'ok' && i.kind !== 'connection');

  const doImport = async () => {
    setImporting(true);
    setImportError(null);
    try {
      const result = await rpc.call('templates.import', { ...source, ...choices });
      props.onImported(result);
    } catch (err) {
      setImportError({ text: errorMessage(err), issues: err instanceof RpcCallError ? err.issues.map((i) => i.message) : [] });
    } finally {
      setImporting(false);
    }
  };

  let body: ReactNode;
  if (failure) {
    body = (
      <Banner tone="danger" title="The check could not be finished">
        {failure}
      </Banner>
    );
  } else if (!base) {
    body = <LoadingBlock label="Checking your account…" />;
  } else if (props.step === 'check') {
    body = (
      <div className="pw-tpl-section-list">
        {decidable.length === 0 && inputs.length === 0 && (
          <Banner tone="success" title="Everything this template needs is there">
            {found.length > 0 ? `Found ${found.length === 1 ? 'the one thing' : `all ${found.length} things`} it uses.` : undefined}
          </Banner>
        )}
        {decidable.length > 0 && (
          <section className="pw-tpl-group" aria-label="Missing in your account">
            <h3>Missing in your account</h3>
            <p className="pw-field-help">Use one you already have, or create it.</p>
            {decidable.map((item) => (
              <MissingRow
                key={itemKey(item)}
                item={item}
                decision={decisions[itemKey(item)] ?? { action: 'none' }}
                onChange={(d) => setDecisions((all) => ({ ...all, [itemKey(item)]: d }))}
              />
            ))}
          </section>
        )}
        {inputs.length > 0 && (
          <section className="pw-tpl-group" aria-label="Values to fill in">
            <h3>Values to fill in</h3>
            {inputs.map((input) => (
              <TextField
                key={input.key}
                label={`${input.field} (step “${input.step}”)`}
                help={`Enter ${input.hint}.`}
                value={values[input.key] ?? ''}
                onChange={(e) => {
                  const value = e.target.value;
                  props.setValues((v) => ({ ...v, [input.key]: value }));
                }}
              />
            ))}
          </section>
        )}
        {unchecked.length > 0 && (
          <Banner tone="warning" title="Please make sure of these yourself">
            <ul className="pw-issue-list">
              {unchecked.map((i) => (
                <li key={i.message}>{i.message}</li>
              ))}
            </ul>
          </Banner>
        )}
        {found.length > 0 && decidable.length + inputs.length > 0 && (
          <details className="pw-tpl-found">
            <summary>
              <CircleCheck size={14} aria-hidden="true" /> {found.length} {found.length === 1 ? 'thing' : 'things'} found in your account
            </summary>
            <ul>
              {found.map((i) => (
                <li key={i.message}>{i.message}</li>
              ))}
            </ul>
          </details>
        )}
        <CheckStatus checking={checking} ready={ready} blocking={blocking} problems={problems} />
      </div>
    );
  } else {
    const created = decidable.filter((i) => decisions[itemKey(i)]?.action === 'create');
    body = <ImportSummary name={props.name} current={current} choices={choices} created={created} error={importError} />;
  }

  const hasConnections = props.loaded.requirements.connections.length > 0;
  const footer =
    props.step === 'check' ? (
      <>
        {hasConnections ? (
          <Button variant="secondary" icon={<ArrowLeft size={14} />} onClick={() => props.setStep('connections')}>
            Back
          </Button>
        ) : (
          <Button variant="secondary" onClick={props.onClose}>
            Cancel
          </Button>
        )}
        <Button variant="primary" disabled={!ready} onClick={() => props.setStep('import')}>
          Next: review <ArrowRight size={14} aria-hidden="true" />
        </Button>
      </>
    ) : (
      <>
        <Button variant="secondary" icon={<ArrowLeft size={14} />} onClick={() => props.setStep('check')} disabled={importing}>
          Back
        </Button>
        <Button variant="primary" loading={importing} disabled={!ready} onClick={() => void doImport()}>
          Import as draft
        </Button>
      </>
    );

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !importing && props.onClose()}
      title={`Import “${props.name}”`}
      description={<StepIndicator steps={props.steps} current={props.step} />}
      width={680}
      footer={footer}
    >
      {body}
    </Dialog>
  );
}

function MissingRow({ item, decision, onChange }: { item: TemplateCheckItem; decision: Decision; onChange(d: Decision): void }) {
  const where = item.place?.alias === null ? 'the local CRM' : (item.place?.appName ?? 'the app');
  const options = [
    ...(item.existing ?? []).map((name) => ({
      value: `map:${name}`,
      label: `Use “${name}”${name === item.candidate ? ' (closest)' : ''}`,
    })),
    ...(item.canCreate ? [{ value: 'create', label: `Create “${item.name}” in ${where}` }] : []),
  ];
  const value = decision.action === 'map' ? `map:${decision.to}` : decision.action === 'create' ? 'create' : '';
  const inPipeline = item.kind === 'stage' && item.pipeline ? ` in the pipeline “${item.pipeline}”` : '';
  return (
    <div className="pw-tpl-missing" data-testid={`missing-${item.kind}-${item.name}`}>
      <div className="pw-tpl-missing-text">
        <strong>
          {NOUN[item.kind]} “{item.name}”
        </strong>
        <span className="pw-field-help">
          Not found in {where}
          {inPipeline}. Used by {item.steps.map((s) => `“${s}”`).join(', ')}.
        </span>
        {!item.canCreate && item.place?.alias !== null && (
          <span className="pw-field-help">Pipewright does not change {where} on import: map it, or create it there first.</span>
        )}
      </div>
      <SelectField
        label={`Instead of ${NOUN[item.kind]?.toLowerCase()} “${item.name}”`}
        className="pw-tpl-missing-select"
        value={value}
        placeholder={options.length ? 'Choose…' : `Nothing to map to in ${where}`}
        options={options}
        onChange={(e) => {
          const v = e.target.value;
          onChange(v === 'create' ? { action: 'create' } : v.startsWith('map:') ? { action: 'map', to: v.slice(4) } : { action: 'none' });
        }}
      />
    </div>
  );
}

function CheckStatus({
  checking,
  ready,
  blocking,
  problems,
}: {
  checking: boolean;
  ready: boolean;
  blocking: TemplateCheckItem[];
  problems: string[];
}) {
  if (checking)
    return (
      <p className="pw-tpl-status" role="status">
        <CircleDashed size={14} className="pw-spinner" aria-hidden="true" /> Checking…
      </p>
    );
  if (ready)
    return (
      <p className="pw-tpl-status is-ready" role="status" data-testid="check-ready">
        <CircleCheck size={14} aria-hidden="true" /> Ready to import.
      </p>
    );
  const lines = [...problems, ...blocking.filter((i) => i.kind !== 'input').map((i) => i.message)];
  const inputsLeft = blocking.filter((i) => i.kind === 'input').length;
  return (
    <div className="pw-tpl-status is-blocked" role="status">
      <CircleAlert size={14} aria-hidden="true" />
      <div>
        {inputsLeft > 0 && <div>Fill in {inputsLeft === 1 ? 'the value above' : `the ${inputsLeft} values above`}.</div>}
        {lines.map((l) => (
          <div key={l}>{l}</div>
        ))}
      </div>
    </div>
  );
}

function ImportSummary(props: {
  name: string;
  current: TemplatePlan | null;
  choices: Choices;
  created: TemplateCheckItem[];
  error: { text: string; issues: string[] } | null;
}) {
  const bound = props.current?.bindings.filter((b) => b.connection) ?? [];
  return (
    <div className="pw-tpl-section-list">
      <p>
        “{props.name}” is saved as a <strong>draft</strong>: it does nothing until you turn it on. You can test it first with a dry run,
        which changes nothing.
      </p>
      <ul className="pw-tpl-review">
        {bound.map((b) => (
          <li key={b.alias}>
            {b.appName} steps use the connection <strong>{b.connection}</strong>.
          </li>
        ))}
        {props.current?.mapped.map((line) => (
          <li key={line}>{line.replace(/^(\w[\w ]*) "(.+)" → "(.+)"$/, '$1 “$2” becomes “$3”.')}</li>
        ))}
        {props.created.map((i) => (
          <li key={itemKey(i)}>
            {NOUN[i.kind]} “{i.name}” is created in the local CRM.
          </li>
        ))}
        {Object.keys(props.choices.values ?? {}).length > 0 && <li>Your values are filled in.</li>}
        {props.current?.warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      {props.error && (
        <Banner tone="danger" title={props.error.text}>
          {props.error.issues.length > 0 && (
            <ul className="pw-issue-list">
              {props.error.issues.map((i) => (
                <li key={i}>{i}</li>
              ))}
            </ul>
          )}
        </Banner>
      )}
    </div>
  );
}

// ----- After the import ------------------------------------------------------------------------

/** Opens the workflow in the editor with its test panel, and runs a dry run there once it has loaded. */
export function openWithDryRun(workflowId: string): void {
  let done = false;
  const off = useEditor.subscribe((state) => {
    if (done || state.phase !== 'ready' || state.doc.id !== workflowId) return;
    done = true;
    off();
    void dryRunInEditor(workflowId);
  });
  // Should the editor never open (the user went elsewhere), stop waiting.
  setTimeout(() => off(), 30_000);
  navigate(workflowHref(workflowId));
}

async function dryRunInEditor(workflowId: string): Promise<void> {
  useEditor.setState({ testOpen: true, running: true });
  try {
    const result = await rpc.call('runs.start', { workflowId, dryRun: true });
    if (result.ok) setRun(result.run as unknown as RunResult);
    else toast.error('The test could not start', { description: result.issues.map((i) => i.message).join(' ') });
  } catch (err) {
    toast.error('The test could not run', { description: errorMessage(err) });
  } finally {
    useEditor.setState({ running: false });
  }
}

function ImportedDialog({ imported, onClose }: { imported: Imported; onClose(): void }) {
  const lines = [...imported.created, ...imported.warnings];
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Imported as a draft"
      description={`“${imported.name}” is saved as a draft. Test it with a dry run: you see what it would do, and nothing is changed.`}
      width={560}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Done
          </Button>
          <Button
            icon={<Pencil size={14} />}
            onClick={() => {
              onClose();
              navigate(workflowHref(imported.workflowId));
            }}
          >
            Open in editor
          </Button>
          <Button
            variant="primary"
            icon={<FlaskConical size={14} />}
            onClick={() => {
              onClose();
              openWithDryRun(imported.workflowId);
            }}
          >
            Dry run now
          </Button>
        </>
      }
    >
      <div className="pw-tpl-section-list" data-testid="import-done">
        <Banner tone="success" title={`Saved as “${imported.workflowId}”, version ${imported.version}`}>
          {Object.entries(imported.bindings).length > 0 &&
            `Connections: ${Object.entries(imported.bindings)
              .map(([alias, name]) => `${alias} → ${name}`)
              .join(', ')}.`}
        </Banner>
        {lines.length > 0 && (
          <ul className="pw-tpl-review">
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}

// ----- Import from file or clipboard -----------------------------------------------------------

/** "Import from file…" and "Paste from clipboard": the two ways to bring in a template someone shared. */
export function ImportTemplateButtons({ size = 'md' }: { size?: 'sm' | 'md' }) {
  const input = useRef<HTMLInputElement>(null);
  const [pasting, setPasting] = useState(false);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Template file"
        data-testid="template-file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void openTemplateFile(file);
        }}
      />
      <Button size={size} icon={<Upload size={15} />} onClick={() => input.current?.click()}>
        Import from file…
      </Button>
      <Button size={size} icon={<Plus size={15} />} onClick={() => setPasting(true)}>
        Paste from clipboard
      </Button>
      {pasting && <PasteDialog onClose={() => setPasting(false)} />}
    </>
  );
}

function PasteDialog({ onClose }: { onClose(): void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Where the page may read the clipboard, the template is already filled in; otherwise the user pastes it.
    navigator.clipboard
      ?.readText()
      .then((clip) => {
        if (clip.trim().startsWith('{')) setText((t) => t || clip);
      })
      .catch(() => undefined);
  }, []);
  const submit = () => {
    if (!text.trim()) {
      setError('Paste the template here first (Ctrl+V, or ⌘V on a Mac).');
      return;
    }
    onClose();
    openImportWizard({ document: parseLoosely(text) });
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Paste a template"
      description="Paste the template someone shared with you: the text of a Pipewright template file."
      width={600}
      onSubmit={submit}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit">
            Continue
          </Button>
        </>
      }
    >
      <div className="pw-field">
        <label className="pw-field-label" htmlFor="pw-tpl-paste">
          Template
        </label>
        <textarea
          id="pw-tpl-paste"
          className="pw-input pw-tpl-paste"
          rows={12}
          value={text}
          placeholder='{ "format": "pipewright.workflow/1", … }'
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
        />
        {error ? (
          <span className="pw-field-error" role="alert">
            {error}
          </span>
        ) : (
          <span className="pw-field-help">It is checked before anything is imported.</span>
        )}
      </div>
    </Dialog>
  );
}
