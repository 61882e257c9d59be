import type { EventName, EventPayload, Issue, Method, MethodInput, MethodOutput } from '../src-main/shared/contract.ts';

/**
 * The renderer's only way to the engine. Inside Electron the preload exposes `window.pipewright`
 * (IPC); in the browser edition calls go to `POST /rpc/<method>` with the session token, and
 * events arrive as server-sent events from `/events`.
 */

interface Bridge {
  invoke(method: string, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: RpcFailure }>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

interface RpcFailure {
  error: string;
  field?: string;
  issues?: Issue[];
}

declare global {
  interface Window {
    pipewright?: Bridge;
  }
}

export class RpcCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: Issue[] = [],
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RpcCallError';
  }
}

const TOKEN_KEY = 'pipewright.token';

/** The browser edition's session token: from the URL it was opened with, then kept for the tab. */
function sessionToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    // Keep the token out of history and screenshots.
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

let token: string | undefined;

async function httpCall(method: string, input: unknown): Promise<unknown> {
  token ??= sessionToken();
  const response = await fetch(`/rpc/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await response.json().catch(() => ({ error: `The server answered ${response.status}.` }))) as unknown;
  if (!response.ok) {
    const failure = body as RpcFailure;
    throw new RpcCallError(failure.error ?? `The server answered ${response.status}.`, response.status, failure.issues, failure.field);
  }
  return body;
}

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
let source: EventSource | undefined;

function httpOn(event: string, listener: Listener): () => void {
  token ??= sessionToken();
  if (!source) source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  let set = listeners.get(event);
  if (!set) {
    const created = new Set<Listener>();
    listeners.set(event, created);
    source.addEventListener(event, (e) => {
      const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
      for (const l of created) l(payload);
    });
    set = created;
  }
  set.add(listener);
  return () => set.delete(listener);
}

export const rpc = {
  async call<M extends Method>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const bridge = window.pipewright;
    if (!bridge) return (await httpCall(method, input)) as MethodOutput<M>;
    const result = await bridge.invoke(method, input);
    if (!result.ok) throw new RpcCallError(result.error.error, 400, result.error.issues, result.error.field);
    return result.value as MethodOutput<M>;
  },

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const bridge = window.pipewright;
    return bridge ? bridge.on(event, listener as Listener) : httpOn(event, listener as Listener);
  },
};
