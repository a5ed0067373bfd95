/**
 * Long messages fold: past FOLD_ABOVE_PX of rendered height (about 24 lines
 * of text) a message shows its first FOLDED_HEIGHT_PX with "Show more". A
 * reply being written never folds: the reader is watching its end grow.
 */

/** Taller than this, a message folds. */
export const FOLD_ABOVE_PX = 600;
/** What a folded message shows (the same figure is the max-height of `.message-fold.is-folded` in foldable.css). */
export const FOLDED_HEIGHT_PX = 360;

/** `whole`: short enough, or streaming, no button. `folded` / `unfolded`: with Show more / Show less. */
export type FoldState = 'whole' | 'folded' | 'unfolded';

export function foldState(
  height: number,
  { streaming, expanded }: { streaming: boolean; expanded: boolean },
): FoldState {
  if (streaming || height <= FOLD_ABOVE_PX) return 'whole';
  return expanded ? 'unfolded' : 'folded';
}
