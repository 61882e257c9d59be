import { ApiClient, apiProfile, type Connection, type Option } from '../connectors/http.ts';
import type { CrmStore } from '../store/crm.ts';
import type { BindingChoice } from './bindings.ts';
import { closestName, findNamed, type NamedThing } from './names.ts';
import type { Place, TemplateRequirements } from './requirements.ts';

/**
 * Compares what a template needs with an account: the local CRM's object types, pipelines and
 * stages, and for remote apps what their API lists (the same lists the step forms offer, e.g.
 * Kanvo's `GET /schema`). Each missing thing is reported with the closest existing one, so it can
 * be mapped, or created (in the local CRM).
 */

export type CheckStatus = 'ok' | 'missing' | 'unchecked';

export interface CheckItem {
  kind: 'connection' | 'objectType' | 'pipeline' | 'stage' | 'customField' | 'input';
  status: CheckStatus;
  /** A plain sentence for the operator. */
  message: string;
  /** What is needed: an object type, pipeline or stage name, a connection alias, or an input's key. */
  name: string;
  place?: Place;
  /** For stages: their pipeline (null when any pipeline will do). */
  pipeline?: string | null;
  /** For pipelines: the stages the template uses in it. */
  stages?: string[];
  /** The closest existing name, to map to. */
  candidate?: string;
  /** What exists there, for a picker. */
  existing?: string[];
  /** Whether Pipewright can create it (in the local CRM). */
  canCreate?: boolean;
  steps: string[];
}

export interface CheckReport {
  /** True when nothing is missing (unchecked items do not block). */
  ok: boolean;
  items: CheckItem[];
}

export interface CheckTarget {
  crm: CrmStore;
  bindings: readonly BindingChoice[];
  /** The connection with its credentials (main process only). */
  resolveConnection(name: string): Connection;
  signal?: AbortSignal;
}

/** The names an account has, per kind; `undefined` when they cannot be listed. */
interface Listing {
  objectTypes(): Promise<NamedThing[] | undefined>;
  pipelines(): Promise<NamedThing[] | undefined>;
  /** Stages of one pipeline, or of all (null). */
  stages(pipeline: string | null, widget: string): Promise<NamedThing[] | undefined>;
}

function localListing(crm: CrmStore): Listing {
  return {
    objectTypes: async () => crm.listObjectTypes(),
    pipelines: async () => crm.listPipelines(),
    stages: async (pipeline) => {
      const pipelines = crm.listPipelines();
      const chosen = pipeline === null ? pipelines : pipelines.filter((p) => findNamed(pipeline, [p]));
      return chosen.flatMap((p) => p.stages);
    },
  };
}

const fromOptions = (options: Option[]): NamedThing[] => options.map((o) => ({ id: o.value, slug: o.value, name: o.label }));

class ListingError extends Error {}

const KIND_NOUN: Record<string, string> = { objectType: 'object types', pipeline: 'pipelines', stage: 'stages', crmStage: 'stages' };

/** Lists through the connector's form options (object types, pipelines, stages), read once per check. */
function remoteListing(connection: Connection, signal?: AbortSignal): Listing | undefined {
  const profile = apiProfile(connection.app);
  if (!profile?.options) return undefined;
  const client = new ApiClient(profile, connection, { signal, retry: { maxAttempts: 1 } });
  const read = profile.options.bind(profile);
  const cache = new Map<string, Promise<NamedThing[]>>();
  const list = (kind: string, params: Record<string, unknown>) => {
    const key = `${kind}:${JSON.stringify(params)}`;
    let found = cache.get(key);
    if (!found) {
      found = read(client, kind, params).then(fromOptions, (err: Error) => {
        throw new ListingError(`Could not read ${profile.name}'s ${KIND_NOUN[kind] ?? kind}: ${err.message}`);
      });
      cache.set(key, found);
    }
    return found;
  };
  return {
    objectTypes: () => list('objectType', {}),
    pipelines: () => list('pipeline', {}),
    stages: (pipeline, widget) => list(widget, pipeline === null ? {} : { pipeline }),
  };
}

function where(place: Place, bindings: readonly BindingChoice[]): string {
  if (place.alias === null) return place.appName;
  const connection = bindings.find((b) => b.alias === place.alias)?.connection;
  return connection ? `${place.appName} ("${connection}")` : `${place.appName} (connection "${place.alias}")`;
}

function closestOf(name: string, existing: NamedThing[]): string | undefined {
  return closestName(
    name,
    existing.map((e) => e.name),
  );
}

/** `subject` names the missing thing, e.g. `Stage "won" (pipeline "main-sales")`. */
function missingText(subject: string, at: string, candidate: string | undefined, extra = ''): string {
  return `${subject} is missing in ${at}${extra}${candidate ? `; the closest is "${candidate}"` : ''}.`;
}

export async function checkRequirements(requirements: TemplateRequirements, target: CheckTarget): Promise<CheckReport> {
  const items: CheckItem[] = [];

  for (const need of requirements.connections) {
    const choice = target.bindings.find((b) => b.alias === need.alias);
    const message = choice?.connection
      ? `The ${need.appName} connection "${need.alias}" uses "${choice.connection}"${choice.automatic ? ' (the only one)' : ''}.`
      : `The ${need.appName} connection "${need.alias}" is not chosen: ${choice?.problem ?? 'choose one.'}`;
    items.push({
      kind: 'connection',
      status: choice?.connection ? 'ok' : 'missing',
      message,
      name: need.alias,
      place: { alias: need.alias, app: need.app, appName: need.appName },
      existing: choice?.candidates ?? [],
      steps: need.steps,
    });
  }

  const listings = new Map<string, Listing | string | undefined>();
  const listingFor = (place: Place): Listing | string | undefined => {
    const key = place.alias ?? '';
    if (!listings.has(key)) {
      if (place.alias === null) listings.set(key, localListing(target.crm));
      else {
        const name = target.bindings.find((b) => b.alias === place.alias)?.connection;
        if (!name) listings.set(key, `Choose the ${place.appName} connection "${place.alias}" first, so it can be checked.`);
        else {
          try {
            listings.set(key, remoteListing(target.resolveConnection(name), target.signal));
          } catch (err) {
            listings.set(key, `Could not use the connection "${name}" to check ${place.appName}: ${(err as Error).message}`);
          }
        }
      }
    }
    return listings.get(key);
  };
  /** Runs one check; a listing that cannot be read leaves the item unchecked with the reason. */
  const attempt = async (
    place: Place,
    fallback: Omit<CheckItem, 'status' | 'message'>,
    what: string,
    run: (l: Listing) => Promise<void>,
  ) => {
    const listing = listingFor(place);
    const unchecked = (reason: string) => items.push({ ...fallback, status: 'unchecked', message: reason });
    if (typeof listing === 'string') return unchecked(listing);
    if (!listing) return unchecked(`Pipewright cannot list ${place.appName}'s ${what}; make sure "${fallback.name}" exists there.`);
    try {
      await run(listing);
    } catch (err) {
      if (!(err instanceof ListingError)) throw err;
      unchecked(`${err.message} "${fallback.name}" could not be checked.`);
    }
  };

  for (const need of requirements.objectTypes) {
    const at = where(need.place, target.bindings);
    const base = { kind: 'objectType' as const, name: need.name, place: need.place, steps: need.steps };
    await attempt(need.place, base, 'object types', async (listing) => {
      const existing = (await listing.objectTypes()) ?? [];
      const found = findNamed(need.name, existing);
      const names = existing.map((e) => e.name);
      if (found)
        items.push({ ...base, status: 'ok', message: `Object type "${need.name}" exists in ${at} ("${found.name}").`, existing: names });
      else {
        const candidate = closestOf(need.name, existing);
        items.push({
          ...base,
          status: 'missing',
          message: missingText(`Object type "${need.name}"`, at, candidate),
          ...(candidate ? { candidate } : {}),
          existing: names,
          canCreate: need.place.alias === null,
        });
      }
    });
  }

  for (const need of requirements.pipelines) {
    const at = where(need.place, target.bindings);
    const local = need.place.alias === null;
    let pipelineOk = true;
    if (need.pipeline !== null) {
      const pipeline = need.pipeline;
      const base = { kind: 'pipeline' as const, name: pipeline, place: need.place, steps: need.steps };
      await attempt(need.place, base, 'pipelines', async (listing) => {
        const existing = (await listing.pipelines()) ?? [];
        const found = findNamed(pipeline, existing);
        const names = existing.map((e) => e.name);
        if (found) {
          items.push({ ...base, status: 'ok', message: `Pipeline "${pipeline}" exists in ${at} ("${found.name}").`, existing: names });
          return;
        }
        pipelineOk = false;
        const candidate = closestOf(pipeline, existing);
        const stages = need.stages.length ? ` (with the stages ${need.stages.join(', ')})` : '';
        items.push({
          ...base,
          stages: need.stages,
          status: 'missing',
          message: missingText(`Pipeline "${pipeline}"`, at, candidate, stages),
          ...(candidate ? { candidate } : {}),
          existing: names,
          canCreate: local,
        });
      });
    }
    if (!pipelineOk) continue;
    for (const stage of need.stages) {
      const base = { kind: 'stage' as const, name: stage, pipeline: need.pipeline, place: need.place, steps: need.steps };
      const inPipeline = need.pipeline === null ? '' : ` (pipeline "${need.pipeline}")`;
      await attempt(need.place, base, 'stages', async (listing) => {
        const existing = (await listing.stages(need.pipeline, need.stageWidget)) ?? [];
        const found = findNamed(stage, existing);
        const names = [...new Set(existing.map((e) => e.name))];
        if (found) {
          items.push({
            ...base,
            status: 'ok',
            message: `Stage "${stage}"${inPipeline} exists in ${at} ("${found.name}").`,
            existing: names,
          });
          return;
        }
        const candidate = closestOf(stage, existing);
        // A stage named without its pipeline can only be added when there is one pipeline to add it to.
        const canCreate = local && (need.pipeline !== null || target.crm.listPipelines().length === 1);
        items.push({
          ...base,
          status: 'missing',
          message: missingText(`Stage "${stage}"${inPipeline}`, at, candidate),
          ...(candidate ? { candidate } : {}),
          existing: names,
          canCreate,
        });
      });
    }
  }

  for (const need of requirements.customFields) {
    const at = where(need.place, target.bindings);
    items.push({
      kind: 'customField',
      status: 'unchecked',
      message: `Make sure ${at} has these custom fields for a ${need.on}: ${need.fields.join(', ')} (Pipewright cannot list them).`,
      name: need.fields.join(', '),
      place: need.place,
      steps: need.steps,
    });
  }

  for (const input of requirements.inputs) {
    items.push({
      kind: 'input',
      status: 'missing',
      message: `Step "${input.step}" needs a value for "${input.field}": ${input.hint}.`,
      name: input.key,
      steps: [input.step],
    });
  }

  return { ok: !items.some((i) => i.status === 'missing'), items };
}
