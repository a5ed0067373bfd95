import { describe, expect, it } from 'vitest';
import { canRegenerateReply, canStopReply, failureReason, replyState, usageLine } from './assistant-reply';
import type { Message } from './types';

const reply = (patch: Partial<Message> = {}): Message => ({
  id: 'm1',
  seq: 2,
  channelId: 'c1',
  authorId: null,
  author: null,
  role: 'assistant',
  status: 'streaming',
  content: '',
  clientId: null,
  meta: { provider: 'hubbub-offline', model: 'hubbub-offline-1', requestedBy: 'u-asker' },
  createdAt: '2025-01-01T00:00:00.000Z',
  editedAt: null,
  ...patch,
});

const asker = { id: 'u-asker', role: 'member' as const };
const other = { id: 'u-other', role: 'member' as const };
const admin = { id: 'u-admin', role: 'admin' as const };

describe('canStopReply', () => {
  it('lets the person who asked, or an admin, stop a streaming reply', () => {
    expect(canStopReply(reply(), asker)).toBe(true);
    expect(canStopReply(reply(), admin)).toBe(true);
    expect(canStopReply(reply(), other)).toBe(false);
  });

  it('offers nothing to stop once the reply is over, or for people’s messages', () => {
    for (const status of ['complete', 'cancelled', 'failed'] as const) {
      expect(canStopReply(reply({ status }), asker)).toBe(false);
      expect(canStopReply(reply({ status }), admin)).toBe(false);
    }
    expect(canStopReply(reply({ role: 'user', authorId: 'u-asker' }), asker)).toBe(false);
  });

  it('without a recorded asker only an admin may stop it', () => {
    expect(canStopReply(reply({ meta: null }), asker)).toBe(false);
    expect(canStopReply(reply({ meta: { model: 'm' } }), asker)).toBe(false);
    expect(canStopReply(reply({ meta: null }), admin)).toBe(true);
  });
});

describe('canRegenerateReply', () => {
  it('is offered after the reply finished, stopped or failed, to people who may post', () => {
    expect(canRegenerateReply(reply({ status: 'complete' }), true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'cancelled' }), true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'failed' }), true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'streaming' }), true)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete' }), false)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete', role: 'user' }), true)).toBe(false);
  });
});

describe('replyState', () => {
  it('is "thinking" until the first text arrives', () => {
    expect(replyState(reply())).toBe('thinking');
    expect(replyState(reply({ content: 'Hi' }))).toBe('writing');
    expect(replyState(reply({ status: 'complete', content: 'Hi' }))).toBe('complete');
    expect(replyState(reply({ status: 'cancelled', content: 'H' }))).toBe('stopped');
    expect(replyState(reply({ status: 'failed' }))).toBe('failed');
  });
});

describe('usageLine', () => {
  it('names the model and, once known, the token count', () => {
    expect(usageLine({ model: 'hubbub-offline-1', tokenCount: 57 })).toBe('hubbub-offline-1 · 57 tokens');
    expect(usageLine({ model: 'gpt-x', tokenCount: 1 })).toBe('gpt-x · 1 token');
    expect(usageLine({ model: 'gpt-x', tokenCount: 12345 })).toBe('gpt-x · 12,345 tokens');
    expect(usageLine({ model: 'hubbub-offline-1' })).toBe('hubbub-offline-1');
    expect(usageLine({ provider: 'openai' })).toBe('openai');
    expect(usageLine({})).toBeNull();
    expect(usageLine(null)).toBeNull();
  });
});

describe('failureReason', () => {
  it('shows the server’s reason as a sentence, or a general one', () => {
    expect(failureReason({ error: 'the model did not answer in time' })).toBe('The model did not answer in time.');
    expect(failureReason({ error: 'Rate limited by the provider.' })).toBe('Rate limited by the provider.');
    expect(failureReason({ error: '  ' })).toBe('The assistant could not finish this reply.');
    expect(failureReason(null)).toBe('The assistant could not finish this reply.');
  });
});
