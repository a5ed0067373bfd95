import { LIMITS } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { createDrafts } from './drafts';
import { memoryStorage } from './test-storage';

describe('drafts per channel', () => {
  it('keeps what was typed per channel, for a new page of the same person', () => {
    const storage = memoryStorage();
    const drafts = createDrafts(storage, 'u1');
    drafts.set('general', 'half a thought');
    drafts.set('random', 'another');
    const afterReload = createDrafts(storage, 'u1');
    expect(afterReload.get('general')).toBe('half a thought');
    expect(afterReload.get('random')).toBe('another');
    expect(afterReload.get('elsewhere')).toBe('');
  });

  it('logging out forgets every draft of that person, and only theirs', () => {
    const storage = memoryStorage();
    const drafts = createDrafts(storage, 'u1');
    drafts.set('general', 'one');
    drafts.set('random', 'two');
    createDrafts(storage, 'u2').set('general', 'someone else’s');
    drafts.clear();
    expect([...storage.items.keys()].filter((key) => key.includes('u1'))).toEqual([]);
    expect(createDrafts(storage, 'u2').get('general')).toBe('someone else’s');
  });

  it('is per person: someone else signing in on this browser sees none of them', () => {
    const storage = memoryStorage();
    createDrafts(storage, 'u1').set('general', 'private words');
    expect(createDrafts(storage, 'u2').get('general')).toBe('');
  });

  it('blank text (a sent message, an emptied box) removes the draft and its index entry', () => {
    const storage = memoryStorage();
    const drafts = createDrafts(storage, 'u1');
    drafts.set('general', 'hello');
    drafts.set('general', '   ');
    expect(drafts.get('general')).toBe('');
    expect(storage.items.size).toBe(1);
    expect(storage.items.get('hubbub.drafts.u1')).toBe('[]');
  });

  it('keeps at most `max` drafts, dropping the least recently typed', () => {
    const storage = memoryStorage();
    const drafts = createDrafts(storage, 'u1', 3);
    for (const channel of ['a', 'b', 'c']) drafts.set(channel, `in ${channel}`);
    drafts.set('a', 'in a, again');
    drafts.set('d', 'in d');
    expect(['a', 'b', 'c', 'd'].map((c) => drafts.get(c))).toEqual(['in a, again', '', 'in c', 'in d']);
    expect([...storage.items.keys()].filter((k) => k.startsWith('hubbub.draft.')).length).toBe(3);
  });

  it('keeps at most the message limit of each draft', () => {
    const drafts = createDrafts(memoryStorage(), 'u1');
    drafts.set('general', 'x'.repeat(LIMITS.message + 50));
    expect(drafts.get('general')).toHaveLength(LIMITS.message);
  });

  it('makes room in a full storage by dropping the oldest drafts', () => {
    const storage = memoryStorage(400);
    const drafts = createDrafts(storage, 'u1');
    drafts.set('a', 'a'.repeat(150));
    drafts.set('b', 'b'.repeat(150));
    drafts.set('c', 'c'.repeat(150));
    expect(drafts.get('c')).toBe('c'.repeat(150));
    expect(drafts.get('a')).toBe('');
  });

  it('works without storage (nothing kept) and ignores what it cannot read', () => {
    const none = createDrafts(null, 'u1');
    none.set('general', 'hello');
    expect(none.get('general')).toBe('');
    const storage = memoryStorage();
    storage.setItem('hubbub.drafts.u1', '{not json');
    const drafts = createDrafts(storage, 'u1');
    drafts.set('general', 'still works');
    expect(drafts.get('general')).toBe('still works');
  });
});
