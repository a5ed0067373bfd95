import { useEffect } from 'react';
import { createStore, useStore } from '../../lib/store';

/** Whether the search palette is open: the sidebar's box, Ctrl/Cmd+K and the palette share it. */
const open = createStore(false);

export const openSearch = () => open.set(true);
export const closeSearch = () => open.set(false);
export const useSearchOpen = () => useStore(open, (value) => value);

/** Ctrl+K (⌘K on a Mac) opens the palette from anywhere in the app, a text field included (Escape closes it). */
export function useSearchShortcut() {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== 'k' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey)
        return;
      event.preventDefault();
      open.set(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** How the shortcut is written on this computer. */
export const shortcutLabel = () => (/Mac|iPhone|iPad/.test(navigator.platform) ? '⌘K' : 'Ctrl K');
