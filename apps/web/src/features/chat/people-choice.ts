import type { Person } from '@hubbub/core';

/** What the people picker offers: the people found, minus those who cannot be chosen and those chosen already. */
export function choosablePeople(found: readonly Person[], excluded: ReadonlySet<string>, chosen: readonly Person[]) {
  const taken = new Set(chosen.map((p) => p.id));
  return found.filter((p) => !excluded.has(p.id) && !taken.has(p.id));
}

/** The highlighted option after an arrow key: wraps around at both ends; -1 when there is nothing to highlight. */
export function moveHighlight(current: number, step: 1 | -1, count: number): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}

/** Adds someone to the chosen, once, up to `max`. */
export function addChosen(chosen: readonly Person[], person: Person, max: number): Person[] {
  if (chosen.length >= max || chosen.some((p) => p.id === person.id)) return [...chosen];
  return [...chosen, person];
}

/**
 * Whether someone fits a search the way the server's user.list does (the start of the handle or the
 * display name, any case): applied to the previous answer while the new one is on its way, so what is
 * highlighted, and picked by Enter, always fits what is typed.
 */
export function fitsSearch(person: Person, text: string): boolean {
  const start = text.trim().replace(/^@/, '').toLowerCase();
  return person.handle.toLowerCase().startsWith(start) || person.displayName.toLowerCase().startsWith(start);
}
