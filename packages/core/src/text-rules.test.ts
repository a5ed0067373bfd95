import { describe, expect, it } from 'vitest';
import { ZDisplayName, ZHandle, ZLoginInput, ZMessageContent } from './schemas';
import { hasBidiControls, isInvisible } from './text-rules';

describe('isInvisible', () => {
  it.each([
    ['spaces and line breaks', ' \n\t\u00A0\u3000'],
    ['zero-width characters', '\u200B\u200C\u200D\u2060\uFEFF'],
    ['bidi marks', '\u200E\u200F\u202E'],
    ['a soft hyphen', '\u00AD'],
    ['Hangul fillers', '\u3164\u115F\u1160\uFFA0'],
    ['the braille blank', '\u2800\u2800'],
    ['combining marks alone', '\u0301\u0308'],
    ['variation selectors', '\uFE0F\uFE0E'],
    ['nothing', ''],
  ])('finds %s invisible', (_label, text) => {
    expect(isInvisible(text)).toBe(true);
  });

  it.each([
    ['a letter', 'a'],
    ['an emoji', '🙂'],
    ['a letter hidden among invisibles', '\u200Bx\u200B'],
    ['a combining mark on a letter', 'e\u0301'],
    ['right-to-left text', 'שלום'],
    ['a letter after a long blank run', `${' \u200B'.repeat(2000)}x`],
  ])('finds %s visible', (_label, text) => {
    expect(isInvisible(text)).toBe(false);
  });
});

describe('hasBidiControls', () => {
  it('finds overrides, embeddings, isolates and marks', () => {
    for (const c of ['\u202E', '\u202A', '\u2066', '\u2069', '\u200F', '\u061C']) {
      expect(hasBidiControls(`name${c}gpj.exe`)).toBe(true);
    }
    expect(hasBidiControls('Zoë Ōtani 李')).toBe(false);
  });
});

describe('handles', () => {
  it.each([
    ['a reserved name', 'assistant'],
    ['a reserved name in capitals', 'Everyone'],
    ['two dots', '..'],
    ['a dot run inside', 'a..b'],
    ['a leading dot', '.alice'],
    ['a trailing dash', 'alice-'],
    ['only punctuation', '_-_'],
  ])('refuses %s', (_label, handle) => {
    expect(ZHandle.safeParse(handle).success).toBe(false);
  });

  it('says why a reserved handle is refused', () => {
    const result = ZHandle.safeParse('assistant');
    expect(result.error?.issues[0]?.message).toMatch(/reserved/);
  });

  it('keeps ordinary handles', () => {
    for (const handle of ['alice', 'bob.smith', 'agent_7', 'demo-agent', 'a1']) {
      expect(ZHandle.parse(handle)).toBe(handle);
    }
  });

  it('lets login check only the format (a reserved handle just never matches)', () => {
    expect(ZLoginInput.safeParse({ handle: 'assistant', password: 'x' }).success).toBe(true);
  });
});

describe('display names and messages', () => {
  it('refuses a name with nothing visible', () => {
    for (const name of ['\u3164', '\u200B\u200B', '\u2800', ' \u00AD ']) {
      expect(ZDisplayName.safeParse(name).success).toBe(false);
    }
  });

  it('refuses a name that reorders the text after it', () => {
    const result = ZDisplayName.safeParse('admin\u202Enimda');
    expect(result.error?.issues[0]?.message).toMatch(/direction/);
  });

  it('keeps names in any script', () => {
    expect(ZDisplayName.parse('Zoë 李 محمد')).toBe('Zoë 李 محمد');
  });

  it('refuses a message with nothing visible, and keeps one with anything to see', () => {
    expect(ZMessageContent.safeParse('\u200B\u3164\u2800').error?.issues[0]?.message).toMatch(/no visible/);
    expect(ZMessageContent.parse('\u200Bhi')).toBe('\u200Bhi');
    expect(ZMessageContent.parse('مرحبا \u200F!')).toBe('مرحبا \u200F!');
  });
});
