/** Where a scroller stood when last seen: its scroll position and its content's height. */
export interface ScrollMark {
  top: number;
  height: number;
}

export const markOf = (el: HTMLElement): ScrollMark => ({ top: el.scrollTop, height: el.scrollHeight });

/** True when the reader is within `slack` pixels of the end: new content should follow. */
export const atEnd = (el: HTMLElement, slack: number): boolean =>
  el.scrollHeight - el.scrollTop - el.clientHeight < slack;

/**
 * True when the reader has scrolled up since `mark`, judged from the element
 * itself. A scroll's event comes a frame after its position changes; content
 * arriving in between must not take the last known "at the end" for granted
 * and pull the reader back down. New content alone moves neither test; a
 * scroller that grows while at the end is clamped, but stays at the old end.
 */
export function scrolledUpSince(el: HTMLElement, mark: ScrollMark, slack: number): boolean {
  return el.scrollTop < mark.top - slack && el.scrollTop + el.clientHeight < mark.height - slack;
}
