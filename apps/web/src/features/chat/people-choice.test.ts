import type { Person } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { addChosen, choosablePeople, fitsSearch, moveHighlight } from './people-choice';

const person = (handle: string, role: Person['role'] = 'member'): Person => ({
  id: `u-${handle}`,
  handle,
  displayName: handle.toUpperCase(),
  role,
});
const ada = person('ada', 'admin');
const bob = person('bob');
const cy = person('cy');
const bot = person('builder', 'agent');

describe('choosablePeople', () => {
  it('offers the people found minus those excluded (already in, or you) and those chosen', () => {
    expect(choosablePeople([ada, bob, cy, bot], new Set(['u-ada']), [cy])).toEqual([bob, bot]);
  });

  it('offers nobody when everyone found is taken', () => {
    expect(choosablePeople([ada, bob], new Set(['u-ada']), [bob])).toEqual([]);
  });
});

describe('moveHighlight', () => {
  it('moves down and up and wraps around at both ends', () => {
    expect(moveHighlight(0, 1, 3)).toBe(1);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, -1, 3)).toBe(2);
  });

  it('starts at the first or the last option when nothing is highlighted, and stays off an empty list', () => {
    expect(moveHighlight(-1, 1, 3)).toBe(0);
    expect(moveHighlight(-1, -1, 3)).toBe(2);
    expect(moveHighlight(0, 1, 0)).toBe(-1);
  });
});

describe('addChosen', () => {
  it('adds someone once and stops at the maximum', () => {
    expect(addChosen([ada], bob, 3)).toEqual([ada, bob]);
    expect(addChosen([ada, bob], bob, 3)).toEqual([ada, bob]);
    expect(addChosen([ada, bob], cy, 2)).toEqual([ada, bob]);
  });
});

describe('fitsSearch', () => {
  it('matches the start of the handle or the display name, in any case, with or without @', () => {
    const grace = { id: 'u-gh', handle: 'grace', displayName: 'Admiral Hopper', role: 'member' as const };
    expect(fitsSearch(grace, 'gr')).toBe(true);
    expect(fitsSearch(grace, '@GR')).toBe(true);
    expect(fitsSearch(grace, 'adm')).toBe(true);
    expect(fitsSearch(grace, '')).toBe(true);
    expect(fitsSearch(grace, 'hopper')).toBe(false);
    expect(fitsSearch(grace, 'race')).toBe(false);
  });
});
