import { type IpcMainInvokeEvent, ipcMain, type WebContents } from 'electron';
import type { Api } from '../api.ts';
import { isMethod, type RpcError } from '../shared/contract.ts';
import { EVENT_CHANNEL, RPC_CHANNEL } from './channels.ts';

/**
 * The desktop transport: the same `api.call` as the browser edition's HTTP RPC, behind one IPC
 * channel. Only our own page, in the window's main frame, may call it.
 */

export type IpcResult = { ok: true; value: unknown } | { ok: false; error: RpcError };

export function registerIpc(api: Api, isOurPage: (url: string) => boolean): () => void {
  ipcMain.handle(RPC_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<IpcResult> => {
    const frame = event.senderFrame;
    // A frame inside the page (or a page we navigated to by mistake) gets nothing.
    if (!frame || frame.parent !== null || !isOurPage(frame.url)) {
      return { ok: false, error: { error: 'Refused: this request did not come from the Pipewright window.' } };
    }
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { error: `There is no method "${String(method)}".` } };
    }
    const result = await api.call(method, input);
    return result.ok ? result : { ok: false, error: result.error };
  });
  return () => ipcMain.removeHandler(RPC_CHANNEL);
}

/** Sends the api's events to the window (when there is one); returns an unsubscribe. */
export function forwardEvents(api: Api, target: () => WebContents | undefined): () => void {
  return api.subscribe((event, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, payload);
  });
}
