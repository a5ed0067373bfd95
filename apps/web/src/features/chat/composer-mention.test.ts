import { describe, expect, it } from 'vitest';
import { acceptMention, mentionAt, mentionOptions, mentionsAssistant } from './composer-mention';

describe('mentionAt', () => {
  it('finds an @ being typed at the caret', () => {
    expect(mentionAt('@', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(mentionAt('hey @as', 7)).toEqual({ start: 4, end: 7, query: 'as' });
    expect(mentionAt('hey @AS', 7)).toEqual({ start: 4, end: 7, query: 'AS' });
    expect(mentionAt('(@assist', 8)).toEqual({ start: 1, end: 8, query: 'assist' });
    expect(mentionAt('line\n@a and more', 7)).toEqual({ start: 5, end: 7, query: 'a' });
    expect(mentionAt('cc @bob.sm', 10)).toEqual({ start: 3, end: 10, query: 'bob.sm' });
  });

  it('stays quiet otherwise', () => {
    expect(mentionAt('bob@as', 6)).toBeNull(); // an email address
    expect(mentionAt('@@as', 4)).toBeNull();
    expect(mentionAt('@as help', 8)).toBeNull(); // the caret is elsewhere
    expect(mentionAt('@asx', 3)).toBeNull(); // the caret is inside a word
    expect(mentionAt('plain text', 10)).toBeNull();
    expect(mentionAt('@as', 9)).toBeNull();
  });
});

describe('mentionOptions', () => {
  const found = [
    { handle: 'ada', displayName: 'Ada Lovelace', role: 'member' },
    { handle: 'alan', displayName: 'Alan', role: 'admin' },
    { handle: 'reviewer', displayName: 'Reviewer', role: 'agent' },
    { handle: 'me', displayName: 'Me', role: 'member' },
    { handle: 'zed', displayName: 'Grace', role: 'member' },
  ];
  const as = (query: string, mayMentionChannel = false) =>
    mentionOptions(query, found, { mayMentionChannel, me: 'me' }).map((o) => `${o.kind}:${o.handle}`);

  it('offers the assistant, @channel to those allowed, then people and agents by handle or name', () => {
    expect(as('a')).toEqual(['assistant:assistant', 'person:ada', 'person:alan']);
    expect(as('')).toEqual(['assistant:assistant', 'person:ada', 'person:alan', 'agent:reviewer', 'person:zed']);
    expect(as('c', true)).toEqual(['channel:channel']);
    expect(as('c')).toEqual([]);
    expect(as('gr')).toEqual(['person:zed']);
    expect(as('m')).toEqual([]); // not yourself
  });

  it('offers nothing once the query names someone exactly', () => {
    expect(as('ada')).toEqual([]);
    expect(as('assistant')).toEqual([]);
  });
});

describe('acceptMention', () => {
  it('completes the mention, adds one space and puts the caret after it', () => {
    expect(acceptMention('hey @as', { start: 4, end: 7, query: 'as' })).toEqual({ text: 'hey @assistant ', caret: 15 });
    expect(acceptMention('@ help', { start: 0, end: 1, query: '' })).toEqual({ text: '@assistant help', caret: 11 });
    expect(acceptMention('cc @a', { start: 3, end: 5, query: 'a' }, 'ada')).toEqual({ text: 'cc @ada ', caret: 8 });
  });

  it('the completed text mentions the assistant the way the server reads it', () => {
    expect(mentionsAssistant(acceptMention('@a', { start: 0, end: 2, query: 'a' }).text)).toBe(true);
  });
});

describe('mentionsAssistant', () => {
  it('matches the server’s rule', () => {
    expect(mentionsAssistant('@assistant help')).toBe(true);
    expect(mentionsAssistant('hey @Assistant, summarize')).toBe(true);
    expect(mentionsAssistant('mail me@assistant.dev')).toBe(false);
    expect(mentionsAssistant('@assistants')).toBe(false);
    expect(mentionsAssistant('no mention')).toBe(false);
  });
});
