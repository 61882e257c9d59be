import { useSyncExternalStore } from 'react';

/**
 * A hash router: `#/workflows`, `#/workflows/<id>`, `#/workflows/new`, `#/runs`, `#/runs/<runId>`,
 * `#/events`, `#/crm`, `#/connections`, `#/templates`, `#/templates/<id>`, `#/settings`. Query parameters after `?` carry filters and tabs.
 * The hash keeps working from a file, behind the browser edition's token URL and in Electron.
 */

export type Route =
  | { name: 'workflows' }
  | { name: 'editor'; workflowId: string | null }
  | { name: 'runs' }
  | { name: 'run'; runId: string }
  | { name: 'events' }
  | { name: 'crm' }
  | { name: 'connections' }
  | { name: 'templates' }
  | { name: 'template'; templateId: string }
  | { name: 'settings' }
  | { name: 'notFound'; path: string };

export interface Location {
  route: Route;
  query: URLSearchParams;
}

function parse(hash: string): Location {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  const query = new URLSearchParams(queryPart);
  const [first, second] = segments;
  let route: Route;
  if (!first) route = { name: 'workflows' };
  else if (first === 'workflows' && segments.length === 1) route = { name: 'workflows' };
  else if (first === 'workflows' && segments.length === 2)
    route = { name: 'editor', workflowId: second === 'new' ? null : (second ?? null) };
  else if (first === 'runs' && segments.length === 1) route = { name: 'runs' };
  else if (first === 'runs' && segments.length === 2 && second) route = { name: 'run', runId: second };
  else if (first === 'events' && segments.length === 1) route = { name: 'events' };
  else if (first === 'crm' && segments.length === 1) route = { name: 'crm' };
  else if (first === 'connections' && segments.length === 1) route = { name: 'connections' };
  else if (first === 'settings' && segments.length === 1) route = { name: 'settings' };
  else if (first === 'templates' && segments.length === 1) route = { name: 'templates' };
  else if (first === 'templates' && segments.length === 2 && second) route = { name: 'template', templateId: second };
  else route = { name: 'notFound', path: `/${pathPart.replace(/^\//, '')}` };
  return { route, query };
}

let cachedHash: string | undefined;
let cached: Location = parse('');

function snapshot(): Location {
  const hash = window.location.hash;
  if (hash !== cachedHash) {
    cachedHash = hash;
    cached = parse(hash);
  }
  return cached;
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot);
}

/** Build a hash href: `href('runs', runId)` → `#/runs/<runId>`; query values that are empty are left out. */
export function href(path: string, query?: Record<string, string | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) params.set(key, value);
  const qs = params.toString();
  return `#/${path.replace(/^\/+/, '')}${qs ? `?${qs}` : ''}`;
}

export function workflowHref(id: string): string {
  return href(`workflows/${encodeURIComponent(id)}`);
}

export function runHref(runId: string): string {
  return href(`runs/${encodeURIComponent(runId)}`);
}

/** The events screen with one event's details open. */
export function eventHref(id: number): string {
  return href('events', { event: String(id) });
}

export function navigate(target: string, options: { replace?: boolean } = {}): void {
  const hash = target.startsWith('#') ? target : `#${target}`;
  if (options.replace) {
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

/** Change query parameters of the current route without adding a history entry per keystroke. */
export function setQuery(update: Record<string, string | undefined | null>): void {
  const raw = window.location.hash.replace(/^#/, '');
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const params = new URLSearchParams(queryPart);
  for (const [key, value] of Object.entries(update)) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const qs = params.toString();
  navigate(`#${pathPart}${qs ? `?${qs}` : ''}`, { replace: true });
}
