import type { SearchFilters } from '@hubbub/core';
import type { Corpus } from './corpus';
import { seeded } from './corpus';

/** What a query stands for, so the report can tell the cheap from the dear. */
export type QueryKind = 'rare word' | 'mid word' | 'common word' | 'two words' | 'phrase' | 'prefix' | 'filtered';

export interface BenchQuery {
  kind: QueryKind;
  text: string;
  filters: SearchFilters;
}

/** The share of each kind, as people search: mostly for specific words, sometimes for everyday ones. */
const MIX: [QueryKind, number][] = [
  ['rare word', 0.25],
  ['mid word', 0.2],
  ['common word', 0.1],
  ['two words', 0.15],
  ['phrase', 0.1],
  ['prefix', 0.1],
  ['filtered', 0.1],
];

/** `count` queries over the corpus, the same ones on every run (`seed`). Needs the corpus's samples (after its fill). */
export function buildQueries(corpus: Corpus, count: number, seed = 7): BenchQuery[] {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const inRanks = (from: number, to: number) =>
    corpus.words[from + Math.floor(random() * (Math.min(to, corpus.words.length) - from))] as string;
  const common = () => inRanks(0, 100);
  const mid = () => inRanks(100, 2000);
  const rare = () => inRanks(2000, corpus.words.length);
  const queries: BenchQuery[] = [];
  for (const [kind, share] of MIX) {
    for (let i = 0; i < Math.round(count * share); i++) queries.push(makeQuery(kind));
  }
  return queries;

  function makeQuery(kind: QueryKind): BenchQuery {
    switch (kind) {
      case 'rare word':
        return { kind, text: rare(), filters: {} };
      case 'mid word':
        return { kind, text: mid(), filters: {} };
      case 'common word':
        return { kind, text: common(), filters: {} };
      case 'two words':
        return { kind, text: `${random() < 0.5 ? common() : mid()} ${random() < 0.5 ? mid() : rare()} `, filters: {} };
      case 'phrase': {
        const words = pick(corpus.samples).toLowerCase().split(' ');
        const at = Math.floor(random() * Math.max(1, words.length - 1));
        return { kind, text: `"${words.slice(at, at + 2).join(' ')}"`, filters: {} };
      }
      case 'prefix': {
        const word = random() < 0.5 ? mid() : common();
        return {
          kind,
          text: word.slice(0, Math.max(3, Math.min(word.length, 3 + Math.floor(random() * 3)))),
          filters: {},
        };
      }
      case 'filtered': {
        const choice = random();
        const filters: SearchFilters =
          choice < 0.4
            ? { channelId: pick(corpus.readableChannelIds.slice(0, 20)) }
            : choice < 0.7
              ? { authorId: pick(corpus.userIds.slice(0, 50)) }
              : { after: new Date(corpus.end - 30 * 86_400_000).toISOString() };
        return { kind, text: random() < 0.5 ? mid() : common(), filters };
      }
    }
  }
}
