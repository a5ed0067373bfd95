import { describe, expect, it } from 'vitest';
import { FOLD_ABOVE_PX, FOLDED_HEIGHT_PX, foldState } from './fold-state';

describe('foldState', () => {
  it('folds a message taller than the limit until it is expanded', () => {
    expect(foldState(FOLD_ABOVE_PX + 1, { streaming: false, expanded: false })).toBe('folded');
    expect(foldState(5000, { streaming: false, expanded: true })).toBe('unfolded');
  });

  it('leaves a short message whole, and a reply being written whatever its length', () => {
    expect(foldState(0, { streaming: false, expanded: false })).toBe('whole');
    expect(foldState(FOLD_ABOVE_PX, { streaming: false, expanded: false })).toBe('whole');
    expect(foldState(5000, { streaming: true, expanded: false })).toBe('whole');
  });

  it('shows less when folded than the height that folds, so folding always hides something', () => {
    expect(FOLDED_HEIGHT_PX).toBeLessThan(FOLD_ABOVE_PX);
  });
});
