import { useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard';

export type CopyState = 'idle' | 'copied' | 'failed';

/** How long "Copied" (or "Copy failed") shows before the button reads "Copy" again. */
const FEEDBACK_MS = 2000;

/** A Copy button's behaviour: copy, then say for a moment whether it worked. */
export function useCopy(): { state: CopyState; copy(text: string): Promise<void> } {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async (text: string) => {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), FEEDBACK_MS);
  };
  return { state, copy };
}

/** What a Copy button says. */
export const copyLabel = (state: CopyState) =>
  state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy';
