import { Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Button, Dialog, IconButton, SelectField, TextField, toast } from '../../components/index.ts';
import { RpcCallError, rpc } from '../../rpc.ts';
import { navigate } from '../router.ts';
import { errorMessage } from '../store.ts';
import type { CrmSchema, RecordRow } from './crm-screen.tsx';

interface FieldRow {
  key: string;
  value: string;
}

export interface NewRecordDialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  schema: CrmSchema;
  /** Object type slug selected when it opens. */
  defaultType: string;
  onCreated(record: RecordRow): void;
}

const NO_PIPELINE = '';
const EMPTY_FIELDS: FieldRow[] = [
  { key: 'email', value: '' },
  { key: 'phone', value: '' },
];

/** Numbers typed as numbers stay numbers; "555-0101" or "06103" stay text. */
function toValue(text: string): unknown {
  const trimmed = text.trim();
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

/** Creates a CRM record by hand, e.g. to see a live workflow react to it. */
export function NewRecordDialog({ open, onOpenChange, schema, defaultType, onCreated }: NewRecordDialogProps) {
  const firstPipeline = schema.pipelines[0];
  const [type, setType] = useState(defaultType);
  const [title, setTitle] = useState('');
  const [pipeline, setPipeline] = useState(firstPipeline?.slug ?? NO_PIPELINE);
  const [stage, setStage] = useState(firstPipeline?.stages[0]?.slug ?? '');
  const [fields, setFields] = useState<FieldRow[]>(EMPTY_FIELDS);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const idBase = useId();

  useEffect(() => {
    if (!open) return;
    setType(defaultType || schema.objectTypes[0]?.slug || '');
    setTitle('');
    setPipeline(firstPipeline?.slug ?? NO_PIPELINE);
    setStage(firstPipeline?.stages[0]?.slug ?? '');
    setFields(EMPTY_FIELDS);
    setErrors({});
  }, [open, defaultType, schema.objectTypes, firstPipeline]);

  const selectedPipeline = schema.pipelines.find((p) => p.slug === pipeline);
  const typeName = schema.objectTypes.find((t) => t.slug === type)?.name ?? 'Record';

  const submit = async (_event: FormEvent) => {
    const problems: Record<string, string> = {};
    if (!title.trim()) problems.title = 'Give the record a title, e.g. "Smith Residence - Lawn Care".';
    const data: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      const key = f.key.trim();
      if (!key && !f.value.trim()) return;
      if (!key) problems[`field-${i}`] = 'Name this field, or remove the row.';
      else if (key in data) problems[`field-${i}`] = `"${key}" is used twice.`;
      else if (f.value.trim()) data[key] = toValue(f.value);
    });
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;

    setBusy(true);
    try {
      const record = (await rpc.call('crm.createRecord', {
        type,
        title: title.trim(),
        ...(pipeline ? { pipeline, ...(stage ? { stage } : {}) } : {}),
        ...(Object.keys(data).length ? { data } : {}),
      })) as unknown as RecordRow;
      toast.success(`${typeName} "${record.title}" created`, {
        description: 'Live workflows that react to new records run now.',
        action: { label: 'View runs', onClick: () => navigate('#/runs') },
      });
      onCreated(record);
    } catch (err) {
      const message = errorMessage(err);
      const field = err instanceof RpcCallError ? err.field : undefined;
      if (field === 'title' || field === 'type' || field === 'pipeline' || field === 'stage') setErrors({ [field]: message });
      else setErrors({ form: message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !busy && onOpenChange(next)}
      title="New record"
      description="Add a record to the local CRM. Live workflows that react to new records run as soon as it is saved."
      width={560}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={busy}>
            Create record
          </Button>
        </>
      }
    >
      <div className="pw-form-stack">
        {errors.form && (
          <div className="pw-step-error" role="alert">
            {errors.form}
          </div>
        )}
        <div className="pw-form-grid">
          <SelectField
            label="Type"
            value={type}
            onChange={(e) => setType(e.target.value)}
            options={schema.objectTypes.map((t) => ({ value: t.slug, label: t.name }))}
            error={errors.type}
          />
          <TextField
            label="Title"
            value={title}
            onChange={(e) => {
              setTitle(e.target.value);
              if (errors.title) setErrors(({ title: _, ...rest }) => rest);
            }}
            placeholder="e.g. Smith Residence"
            error={errors.title}
            autoFocus
          />
          <SelectField
            label="Pipeline"
            value={pipeline}
            onChange={(e) => {
              const next = schema.pipelines.find((p) => p.slug === e.target.value);
              setPipeline(e.target.value);
              setStage(next?.stages[0]?.slug ?? '');
            }}
            options={schema.pipelines.map((p) => ({ value: p.slug, label: p.name }))}
            placeholder="No pipeline"
            error={errors.pipeline}
          />
          <SelectField
            label="Stage"
            value={stage}
            onChange={(e) => setStage(e.target.value)}
            options={(selectedPipeline?.stages ?? []).map((s) => ({ value: s.slug, label: s.name }))}
            disabled={!selectedPipeline}
            help={selectedPipeline ? undefined : 'Pick a pipeline first.'}
            error={errors.stage}
          />
        </div>

        <fieldset style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <legend className="pw-field-label" style={{ padding: 0, marginBottom: 4 }}>
            Fields <span className="pw-field-optional">(optional)</span>
          </legend>
          <p className="pw-field-help" style={{ marginBottom: 8 }}>
            Extra data on the record, such as email, phone or value. Workflows can use them, e.g. to find the contact.
          </p>
          <div className="pw-kv-list">
            {fields.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; order is stable.
              <div key={i}>
                <div className="pw-kv-row">
                  <input
                    id={`${idBase}-key-${i}`}
                    className="pw-input"
                    aria-label={`Field name ${i + 1}`}
                    placeholder="Field name, e.g. email"
                    value={f.key}
                    aria-invalid={errors[`field-${i}`] ? true : undefined}
                    onChange={(e) => setFields(fields.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
                  />
                  <input
                    className="pw-input"
                    aria-label={f.key.trim() ? `Value of ${f.key.trim()}` : `Value ${i + 1}`}
                    placeholder="Value"
                    value={f.value}
                    onChange={(e) => setFields(fields.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
                  />
                  <IconButton
                    label={`Remove field ${f.key.trim() || i + 1}`}
                    icon={<Trash2 size={15} />}
                    onClick={() => setFields(fields.filter((_, j) => j !== i))}
                  />
                </div>
                {errors[`field-${i}`] && (
                  <span className="pw-field-error" role="alert">
                    {errors[`field-${i}`]}
                  </span>
                )}
              </div>
            ))}
          </div>
          <Button
            size="sm"
            variant="ghost"
            icon={<Plus size={14} />}
            onClick={() => setFields([...fields, { key: '', value: '' }])}
            style={{ marginTop: 8 }}
          >
            Add field
          </Button>
        </fieldset>
      </div>
    </Dialog>
  );
}
