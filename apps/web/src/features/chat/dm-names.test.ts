import { describe, expect, it } from 'vitest';
import { conversationName, directConversations, directTitle, otherPeople } from './dm-names';

const ada = { userId: 'u-ada', handle: 'ada', displayName: 'Ada' };
const bob = { userId: 'u-bob', handle: 'bob', displayName: 'Bob' };
const cy = { userId: 'u-cy', handle: 'cy', displayName: 'Cy' };

describe('direct conversation names', () => {
  it('names a conversation by the other people, never by you', () => {
    expect(directTitle([ada, bob], 'u-ada')).toBe('Bob');
    expect(directTitle([ada, bob], 'u-bob')).toBe('Ada');
    expect(directTitle([cy, ada, bob], 'u-ada')).toBe('Bob, Cy');
    expect(otherPeople([cy, ada, bob], 'u-ada').map((p) => p.handle)).toEqual(['bob', 'cy']);
  });

  it('says "you" for a conversation with yourself alone, or with nobody listed', () => {
    expect(directTitle([ada], 'u-ada')).toBe('you');
    expect(directTitle(null, 'u-ada')).toBe('you');
  });

  it('names a channel by its slug and a direct conversation by its people', () => {
    expect(conversationName({ kind: 'channel', slug: 'design', people: null }, 'u-ada')).toBe('#design');
    expect(conversationName({ kind: 'dm', slug: 'dm-0a1b', people: [ada, bob] }, 'u-ada')).toBe('Bob');
  });
});

describe('directConversations', () => {
  const at = (hour: number) => `2026-12-02T${String(hour).padStart(2, '0')}:00:00.000Z`;
  const channel = (
    id: string,
    kind: 'channel' | 'dm',
    lastMessageAt: string | null,
    createdAt: string,
    joined = true,
  ) => ({
    id,
    kind,
    joined,
    lastMessageAt,
    createdAt,
  });

  it('keeps only the direct conversations you are in, the most recently active first', () => {
    const list = [
      channel('general', 'channel', at(12), at(1)),
      channel('quiet', 'dm', null, at(9)),
      channel('old', 'dm', at(3), at(2)),
      channel('busy', 'dm', at(11), at(4)),
      channel('not-mine', 'dm', at(13), at(5), false),
    ];
    expect(directConversations(list).map((c) => c.id)).toEqual(['busy', 'quiet', 'old']);
  });
});
