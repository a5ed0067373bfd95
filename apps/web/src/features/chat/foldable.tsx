import { type ReactNode, type RefObject, useId, useLayoutEffect, useRef, useState } from 'react';
import { foldState } from './fold-state';
import './foldable.css';

/** Measures the rendered height of `ref`'s element, again whenever it changes size. */
function useHeight(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setHeight(element.offsetHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}

/**
 * A message body that folds when long (see fold-state.ts), with a Show more / Show
 * less button below it. A reply that was streaming when it appeared starts
 * unfolded: it does not snap shut under the reader when it finishes.
 */
export function Foldable({ streaming, children }: { streaming: boolean; children: ReactNode }) {
  const content = useRef<HTMLDivElement>(null);
  const height = useHeight(content);
  const [expanded, setExpanded] = useState(streaming);
  const state = foldState(height, { streaming, expanded });
  const id = useId();

  return (
    <>
      <div id={id} className={`message-fold is-${state}`} data-testid="message-fold" data-fold={state}>
        <div ref={content}>{children}</div>
      </div>
      {state !== 'whole' && (
        <button
          type="button"
          className="message-fold-toggle"
          aria-expanded={state === 'unfolded'}
          aria-controls={id}
          onClick={() => setExpanded(state === 'folded')}
          data-testid="message-fold-toggle"
        >
          {state === 'folded' ? 'Show more' : 'Show less'}
        </button>
      )}
    </>
  );
}
