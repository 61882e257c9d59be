import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName, Method, MethodInput, MethodOutput } from '../../src-main/shared/contract.ts';
import { rpc } from '../rpc.ts';
import { errorMessage } from './store.ts';

export interface RpcQuery<T> {
  data: T | undefined;
  /** A plain sentence when the last load failed. */
  error: string | undefined;
  /** True only while nothing has been loaded yet; refreshes keep showing the previous data. */
  loading: boolean;
  reload(): Promise<void>;
}

export interface RpcQueryOptions {
  /** Events after which the data is loaded again (coalesced, so a burst causes one reload). */
  refreshOn?: readonly EventName[];
  enabled?: boolean;
  /** Keep showing the previous input's data while the new one loads (search boxes, filters). */
  keepPrevious?: boolean;
}

/** Loads `method(input)` now, again when the input changes, and after the given events. */
export function useRpc<M extends Method>(method: M, input: MethodInput<M>, options: RpcQueryOptions = {}): RpcQuery<MethodOutput<M>> {
  const key = `${method}:${JSON.stringify(input)}`;
  const enabled = options.enabled ?? true;
  const [state, setState] = useState<{ key: string; data?: MethodOutput<M>; error?: string; done: boolean }>({ key, done: false });
  const latest = useRef(0);
  const inputRef = useRef(input);
  inputRef.current = input;

  const load = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const data = await rpc.call(method, inputRef.current);
      if (ticket === latest.current) setState({ key, data, done: true });
    } catch (err) {
      if (ticket === latest.current)
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: errorMessage(err), done: true }));
    }
  }, [method, key]);

  useEffect(() => {
    if (enabled) void load();
  }, [load, enabled]);

  const refreshKey = (options.refreshOn ?? []).join(',');
  useEffect(() => {
    if (!enabled || !refreshKey) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void load();
      }, 250);
    };
    const offs = (refreshKey.split(',') as EventName[]).map((event) => rpc.on(event, schedule));
    return () => {
      if (timer) clearTimeout(timer);
      for (const off of offs) off();
    };
  }, [refreshKey, load, enabled]);

  const current = state.key === key;
  const data = current || options.keepPrevious ? state.data : undefined;
  return {
    data,
    error: current ? state.error : undefined,
    loading: enabled && data === undefined && !(current && state.done),
    reload: load,
  };
}
