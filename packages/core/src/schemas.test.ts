import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';
import {
  ZCreateChannelInput,
  ZHandle,
  ZHistoryInput,
  ZMessageContent,
  ZMessageMeta,
  ZSendMessageInput,
  ZSignupInput,
  ZSlug,
} from './schemas';

describe('ZHandle', () => {
  it('trims and lowercases', () => {
    expect(ZHandle.parse('  Alice.B_2-x  ')).toBe('alice.b_2-x');
    expect(ZHandle.parse('BOB')).toBe('bob');
  });

  it.each([
    ['a space inside', 'al ice'],
    ['an @', '@alice'],
    ['a slash', 'a/b'],
    ['a non-ASCII letter', 'zoë'],
    ['an emoji', 'hi🙂'],
  ])('rejects %s', (_label, handle) => {
    expect(ZHandle.safeParse(handle).success).toBe(false);
  });

  it('enforces the length limits after trimming', () => {
    expect(ZHandle.safeParse('a').success).toBe(false);
    expect(ZHandle.safeParse('  a  ').success).toBe(false);
    expect(ZHandle.parse('ab')).toBe('ab');
    expect(ZHandle.parse('x'.repeat(LIMITS.handle.max))).toHaveLength(LIMITS.handle.max);
    expect(ZHandle.safeParse('x'.repeat(LIMITS.handle.max + 1)).success).toBe(false);
  });

  it('normalizes the handle inside signup input', () => {
    const input = ZSignupInput.parse({ handle: ' Carol ', password: 'correct horse' });
    expect(input.handle).toBe('carol');
  });
});

describe('ZMessageContent', () => {
  it('accepts and trims ordinary text', () => {
    expect(ZMessageContent.parse('  hello there \n')).toBe('hello there');
  });

  it('rejects an empty or blank message', () => {
    for (const content of ['', '   ', '\n\t ']) {
      const result = ZMessageContent.safeParse(content);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('message is empty');
    }
  });

  it(`accepts exactly LIMITS.message (${LIMITS.message}) characters and rejects one more`, () => {
    expect(ZMessageContent.safeParse('a'.repeat(LIMITS.message)).success).toBe(true);
    const tooLong = ZMessageContent.safeParse('a'.repeat(LIMITS.message + 1));
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.code).toBe('too_big');
  });

  it('applies the limit to the send input', () => {
    const base = { channelId: 'c1' };
    expect(ZSendMessageInput.safeParse({ ...base, content: 'x'.repeat(LIMITS.message + 1) }).success).toBe(false);
    expect(ZSendMessageInput.safeParse({ ...base, content: ' ' }).success).toBe(false);
    expect(ZSendMessageInput.parse({ ...base, content: ' hi ', clientId: 'k1' })).toEqual({
      channelId: 'c1',
      content: 'hi',
      clientId: 'k1',
    });
  });
});

describe('other inputs', () => {
  it('rejects unknown meta keys', () => {
    expect(ZMessageMeta.safeParse({ lane: 'a', provider: 'p', tokenCount: 3 }).success).toBe(true);
    expect(ZMessageMeta.safeParse({ lane: 'a', secret: 1 }).success).toBe(false);
    expect(ZMessageMeta.safeParse({ tokenCount: -1 }).success).toBe(false);
  });

  it('normalizes slugs and defaults visibility to public', () => {
    expect(ZSlug.parse(' Dev-Team ')).toBe('dev-team');
    expect(ZSlug.safeParse('-dev').success).toBe(false);
    expect(ZCreateChannelInput.parse({ slug: 'dev', name: 'Dev' }).visibility).toBe('public');
  });

  it('bounds history paging', () => {
    expect(ZHistoryInput.parse({ channelId: 'c1' }).limit).toBe(50);
    expect(ZHistoryInput.safeParse({ channelId: 'c1', limit: LIMITS.historyPage + 1 }).success).toBe(false);
    expect(ZHistoryInput.safeParse({ channelId: 'c1', before: 0 }).success).toBe(false);
  });
});
