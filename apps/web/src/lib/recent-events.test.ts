import { describe, expect, it } from 'vitest';
import { RecentEvents } from './recent-events';

describe('RecentEvents', () => {
  it('gives back what came after a position, oldest first', () => {
    const recent = new RecentEvents<string>(10);
    for (const offset of [1, 2, 3, 4]) recent.remember(`e:${offset}`, `event ${offset}`);
    expect(recent.after('e:2')).toEqual(['event 3', 'event 4']);
    expect(recent.after('e:4')).toEqual([]);
  });

  it('ignores another epoch and ids that are no position', () => {
    const recent = new RecentEvents<string>(10);
    recent.remember('old:5', 'from before a reset');
    recent.remember('signal', 'not stored');
    recent.remember('new:1', 'after the reset');
    expect(recent.after('new:0')).toEqual(['after the reset']);
    expect(recent.after('not-a-position')).toEqual([]);
    expect(recent.all()).toEqual(['from before a reset', 'after the reset']);
  });

  it('keeps only the newest `capacity` events, and forgets them all on clear', () => {
    const recent = new RecentEvents<number>(3);
    for (const offset of [1, 2, 3, 4, 5]) recent.remember(`e:${offset}`, offset);
    expect(recent.all()).toEqual([3, 4, 5]);
    expect(recent.after('e:0')).toEqual([3, 4, 5]);
    recent.clear();
    expect(recent.all()).toEqual([]);
  });
});
