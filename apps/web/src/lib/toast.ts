import { createStore } from './store';

export interface Toast {
  id: number;
  message: string;
  tone: 'error' | 'info';
  /** Where the notice leads (a mention, a direct message, an approval). */
  href?: string;
}

let nextId = 1;
export const toasts = createStore<Toast[]>([]);

/** Shows a short notice: an error that has no form to sit under, or news elsewhere (with `href`, a link to it). */
export function toast(message: string, tone: Toast['tone'] = 'error', href?: string) {
  const id = nextId++;
  toasts.set((list) => [...list.slice(-3), { id, message, tone, ...(href ? { href } : {}) }]);
  setTimeout(() => dismissToast(id), 6000);
}

export function dismissToast(id: number) {
  toasts.set((list) => list.filter((t) => t.id !== id));
}
