import { createStore } from './store';

export interface Toast {
  id: number;
  message: string;
  tone: 'error' | 'info';
}

let nextId = 1;
export const toasts = createStore<Toast[]>([]);

/** Shows a short notice for errors that have no form to sit under. */
export function toast(message: string, tone: Toast['tone'] = 'error') {
  const id = nextId++;
  toasts.set((list) => [...list.slice(-3), { id, message, tone }]);
  setTimeout(() => dismissToast(id), 6000);
}

export function dismissToast(id: number) {
  toasts.set((list) => list.filter((t) => t.id !== id));
}
