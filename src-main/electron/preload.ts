import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNEL, EVENT_NAMES, RPC_CHANNEL } from './channels.ts';

/**
 * The only door between the page and the main process: `invoke` for contract methods (checked
 * again in the main process, which validates the method and its input) and `on` for contract
 * events. Nothing of Electron itself reaches the page.
 */

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

contextBridge.exposeInMainWorld(
  'pipewright',
  Object.freeze({
    invoke(method: string, input: unknown): Promise<unknown> {
      if (typeof method !== 'string') return Promise.reject(new TypeError('The method must be a name.'));
      return ipcRenderer.invoke(RPC_CHANNEL, method, input);
    },
    on(event: string, listener: Listener): () => void {
      if (!EVENT_NAMES.includes(event)) throw new TypeError(`There is no event "${String(event)}".`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
  }),
);
