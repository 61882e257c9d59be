import { create } from 'zustand';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import { RpcCallError } from '../rpc.ts';

/** App-wide UI state: toasts, the session's authorisation, and facts about the running app. */

export type ToastTone = 'success' | 'error' | 'info';

export interface ToastAction {
  label: string;
  onClick(): void;
}

export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  description?: string;
  action?: ToastAction;
  /** Milliseconds before it hides itself; 0 keeps it until dismissed. */
  duration: number;
}

export interface ToastOptions {
  description?: string;
  action?: ToastAction;
  duration?: number;
}

type AppInfo = MethodOutput<'app.info'>;

interface AppState {
  toasts: Toast[];
  /** True once the server refused the session token: the whole app shows how to open it properly. */
  unauthorized: boolean;
  appInfo: AppInfo | null;
  pushToast(tone: ToastTone, title: string, options?: ToastOptions): number;
  dismissToast(id: number): void;
  setUnauthorized(): void;
  setAppInfo(info: AppInfo): void;
}

let nextToastId = 1;

export const useAppStore = create<AppState>()((set) => ({
  toasts: [],
  unauthorized: false,
  appInfo: null,
  pushToast(tone, title, options = {}) {
    const id = nextToastId++;
    const duration = options.duration ?? (tone === 'error' ? 8000 : options.action ? 7000 : 4000);
    // Keep the stack short: older toasts make way for new ones.
    set((s) => ({
      toasts: [...s.toasts.slice(-3), { id, tone, title, description: options.description, action: options.action, duration }],
    }));
    return id;
  },
  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  setUnauthorized() {
    set({ unauthorized: true });
  },
  setAppInfo(info) {
    set({ appInfo: info });
  },
}));

/** Show a toast from anywhere (also outside React): `toast.success('Saved')`. */
export const toast = {
  success: (title: string, options?: ToastOptions) => useAppStore.getState().pushToast('success', title, options),
  error: (title: string, options?: ToastOptions) => useAppStore.getState().pushToast('error', title, options),
  info: (title: string, options?: ToastOptions) => useAppStore.getState().pushToast('info', title, options),
  dismiss: (id: number) => useAppStore.getState().dismissToast(id),
};

/** The sentence to show for a failed call. A 401 switches the app to its "open from the link" page. */
export function errorMessage(err: unknown): string {
  if (err instanceof RpcCallError) {
    if (err.status === 401) useAppStore.getState().setUnauthorized();
    return err.message;
  }
  if (err instanceof TypeError && /fetch/i.test(err.message)) return 'Pipewright is not reachable. Is `pipewright serve` still running?';
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Report a failed action as an error toast, with what was being done as the title. */
export function reportError(what: string, err: unknown): void {
  toast.error(what, { description: errorMessage(err) });
}
