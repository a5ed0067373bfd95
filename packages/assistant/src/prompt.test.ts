import type { Message } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { buildPrompt, DEFAULT_SYSTEM_PROMPT, mentionsAssistant } from './prompt';

let seq = 0;
function msg(overrides: Partial<Message> & { content: string }): Message {
  seq++;
  return {
    id: `m${seq}`,
    seq,
    channelId: 'c1',
    authorId: 'u1',
    author: { handle: 'ada', displayName: 'Ada' },
    role: 'user',
    status: 'complete',
    clientId: null,
    meta: null,
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    ...overrides,
  };
}
const reply = (content: string, overrides: Partial<Message> = {}) =>
  msg({ content, role: 'assistant', authorId: null, author: null, ...overrides });

describe('buildPrompt', () => {
  it('puts the system prompt first (default or given)', () => {
    expect(buildPrompt([], 1000)).toEqual([{ role: 'system', content: DEFAULT_SYSTEM_PROMPT }]);
    const out = buildPrompt([msg({ content: 'hi' })], 1000, 'Be terse.');
    expect(out[0]).toEqual({ role: 'system', content: 'Be terse.' });
    expect(out).toHaveLength(2);
  });

  it('orders messages oldest first from a newest-first list', () => {
    const first = msg({ content: 'first' });
    const second = msg({ content: 'second' });
    const third = msg({ content: 'third' });
    const out = buildPrompt([third, second, first], 1000, 'sys');
    expect(out.map((m) => m.content)).toEqual(['sys', 'Ada: first', 'Ada: second', 'Ada: third']);
  });

  it("prefixes user messages with the author's display name and keeps assistant replies unprefixed", () => {
    const q = msg({ content: 'what is 2+2?', author: { handle: 'grace', displayName: 'Grace Hopper' } });
    const a = reply('4');
    const anon = msg({ content: 'hello', authorId: null, author: null });
    const out = buildPrompt([anon, a, q], 1000, 'sys');
    expect(out).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'Grace Hopper: what is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'someone: hello' },
    ]);
  });

  it('drops the oldest messages first when over budget', () => {
    const oldest = msg({ content: 'a'.repeat(20) }); // "Ada: " + 20 = 25
    const middle = msg({ content: 'b'.repeat(20) }); // 25
    const newest = msg({ content: 'c'.repeat(20) }); // 25
    const out = buildPrompt([newest, middle, oldest], 60, 'sys');
    expect(out.map((m) => m.content)).toEqual(['sys', `Ada: ${'b'.repeat(20)}`, `Ada: ${'c'.repeat(20)}`]);
    // Exactly at the budget, all three fit.
    expect(buildPrompt([newest, middle, oldest], 75, 'sys')).toHaveLength(4);
  });

  it('keeps a single message longer than the budget, cut to its last budget characters', () => {
    const long = msg({ content: `${'x'.repeat(50)}THE END` });
    const older = msg({ content: 'older' });
    const out = buildPrompt([long, older], 10, 'sys');
    expect(out).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'xxxTHE END' },
    ]);
    const longReply = reply('0123456789abcdef');
    expect(buildPrompt([longReply], 6, 'sys')[1]).toEqual({ role: 'assistant', content: 'abcdef' });
  });

  it('skips failed and empty (or blank) messages', () => {
    const ok = msg({ content: 'kept' });
    const failed = reply('half an answer', { status: 'failed' });
    const empty = reply('', { status: 'streaming' });
    const blank = msg({ content: '   \n ' });
    const out = buildPrompt([blank, empty, failed, ok], 1000, 'sys');
    expect(out).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'Ada: kept' },
    ]);
  });

  it('does not count skipped messages against the budget', () => {
    const a = msg({ content: 'aaaaa' }); // 10 chars with prefix
    const failed = reply('f'.repeat(100), { status: 'failed' });
    const b = msg({ content: 'bbbbb' }); // 10
    const out = buildPrompt([b, failed, a], 20, 'sys');
    expect(out.map((m) => m.content)).toEqual(['sys', 'Ada: aaaaa', 'Ada: bbbbb']);
  });
});

describe('mentionsAssistant', () => {
  it('matches @assistant at the start, in the middle and at the end', () => {
    expect(mentionsAssistant('@assistant help')).toBe(true);
    expect(mentionsAssistant('hey @assistant, what now?')).toBe(true);
    expect(mentionsAssistant('ping\n@assistant')).toBe(true);
    expect(mentionsAssistant('thanks @assistant')).toBe(true);
    expect(mentionsAssistant('(@assistant) summarize')).toBe(true);
  });

  it('is case-insensitive', () => {
    expect(mentionsAssistant('@Assistant help')).toBe(true);
    expect(mentionsAssistant('yo @ASSISTANT')).toBe(true);
  });

  it('does not match inside an address or a longer name', () => {
    expect(mentionsAssistant('mail foo@assistant please')).toBe(false);
    expect(mentionsAssistant('foo@assistant')).toBe(false);
    expect(mentionsAssistant('@assistants are here')).toBe(false);
    expect(mentionsAssistant('@assistant_bot')).toBe(false);
    expect(mentionsAssistant('@@assistant')).toBe(false);
    expect(mentionsAssistant('the assistant is quiet')).toBe(false);
    expect(mentionsAssistant('')).toBe(false);
  });
});
