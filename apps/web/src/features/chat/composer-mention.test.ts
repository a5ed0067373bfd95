import { describe, expect, it } from 'vitest';
import { acceptMention, mentionAt, mentionsAssistant } from './composer-mention';

describe('mentionAt', () => {
  it('finds an @ being typed that could become @assistant', () => {
    expect(mentionAt('@', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(mentionAt('hey @as', 7)).toEqual({ start: 4, end: 7, query: 'as' });
    expect(mentionAt('hey @AS', 7)).toEqual({ start: 4, end: 7, query: 'AS' });
    expect(mentionAt('(@assist', 8)).toEqual({ start: 1, end: 8, query: 'assist' });
    expect(mentionAt('line\n@a and more', 7)).toEqual({ start: 5, end: 7, query: 'a' });
  });

  it('stays quiet otherwise', () => {
    expect(mentionAt('@assistant', 10)).toBeNull(); // already complete
    expect(mentionAt('@bob', 4)).toBeNull(); // someone else
    expect(mentionAt('bob@as', 6)).toBeNull(); // an email address
    expect(mentionAt('@@as', 4)).toBeNull();
    expect(mentionAt('@as help', 8)).toBeNull(); // the caret is elsewhere
    expect(mentionAt('@asx', 3)).toBeNull(); // the caret is inside a word
    expect(mentionAt('plain text', 10)).toBeNull();
    expect(mentionAt('@as', 9)).toBeNull();
  });
});

describe('acceptMention', () => {
  it('completes the mention, adds one space and puts the caret after it', () => {
    expect(acceptMention('hey @as', { start: 4, end: 7, query: 'as' })).toEqual({ text: 'hey @assistant ', caret: 15 });
    expect(acceptMention('@ help', { start: 0, end: 1, query: '' })).toEqual({ text: '@assistant help', caret: 11 });
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
