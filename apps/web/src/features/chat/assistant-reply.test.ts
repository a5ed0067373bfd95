import { describe, expect, it } from 'vitest';
import {
  canRegenerateReply,
  canStopReply,
  failureReason,
  ordinal,
  replyState,
  replyVersions,
  shownVersionIndex,
  usageLine,
  waitingText,
} from './assistant-reply';
import { testReply } from './test-messages';
import type { Message } from './types';

const reply = (patch: Partial<Message> = {}): Message =>
  testReply({ meta: { provider: 'hubbub-offline', model: 'hubbub-offline-1', requestedBy: 'u-asker' }, ...patch });

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
  it('is offered after the reply finished, stopped or failed, to the asker who may post', () => {
    expect(canRegenerateReply(reply({ status: 'complete' }), asker, true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'cancelled' }), asker, true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'failed' }), asker, true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'streaming' }), asker, true)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete' }), asker, false)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete', role: 'user' }), asker, true)).toBe(false);
  });

  it('is the asker’s or an admin’s: other members do not get the button', () => {
    expect(canRegenerateReply(reply({ status: 'complete' }), other, true)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete' }), admin, true)).toBe(true);
    expect(canRegenerateReply(reply({ status: 'complete', meta: null }), asker, true)).toBe(false);
    expect(canRegenerateReply(reply({ status: 'complete', meta: null }), admin, true)).toBe(true);
  });
});

describe('a reply held for a tool call’s approval', () => {
  it('is "awaiting approval", not "thinking", while its status stays streaming; over once it ends', () => {
    expect(replyState(reply({ meta: { awaitingApproval: true } }))).toBe('awaiting-approval');
    expect(replyState(reply({ content: 'Let me', meta: { awaitingApproval: true } }))).toBe('awaiting-approval');
    expect(replyState(reply())).toBe('thinking');
    expect(replyState(reply({ status: 'cancelled', meta: { awaitingApproval: true } }))).toBe('stopped');
  });

  it('can still be stopped by the asker or an admin', () => {
    const held = reply({ meta: { requestedBy: 'u-asker', awaitingApproval: true } });
    expect(canStopReply(held, asker)).toBe(true);
    expect(canStopReply(held, admin)).toBe(true);
    expect(canStopReply(held, other)).toBe(false);
  });
});

describe('waiting in line', () => {
  it('a reply with a place in line is "waiting", and says where it stands', () => {
    expect(replyState(reply({ meta: { queuePosition: 3 } }))).toBe('waiting');
    expect(replyState(reply({ status: 'cancelled', meta: { queuePosition: 3 } }))).toBe('stopped');
    expect(waitingText(1)).toBe('Waiting for the model… (next in line)');
    expect(waitingText(2)).toBe('Waiting for the model… (2nd in line)');
    expect(waitingText(3)).toBe('Waiting for the model… (3rd in line)');
  });

  it('writes ordinals the English way', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });
});

describe('versions', () => {
  const earlier = [
    { text: 'one', model: 'm1', at: '2025-01-01T00:00:00.000Z', status: 'complete' as const },
    { text: 'tw', at: '2025-01-01T00:01:00.000Z', status: 'cancelled' as const },
  ];

  it('lists the kept versions, oldest first, then the current text', () => {
    const regenerated = reply({
      status: 'complete',
      content: 'three',
      meta: { model: 'm2', versions: earlier, regeneratedAt: '2025-01-01T00:02:00.000Z' },
    });
    expect(replyVersions(regenerated)).toEqual([
      ...earlier,
      { text: 'three', model: 'm2', at: '2025-01-01T00:02:00.000Z', status: 'complete' },
    ]);
    expect(replyVersions(reply({ status: 'complete', content: 'only' }))).toEqual([
      { text: 'only', model: 'hubbub-offline-1', at: '2025-01-01T00:00:00.000Z', status: 'complete' },
    ]);
  });

  it('shows the newest by default, the one picked while the newest stays, the newest again after a Regenerate', () => {
    const three = [{ at: 'a' }, { at: 'b' }, { at: 'c' }];
    expect(shownVersionIndex(null, three)).toBe(2);
    expect(shownVersionIndex({ index: 0, newestAt: 'c' }, three)).toBe(0);
    // A Regenerate makes a new newest text (even when the oldest kept one drops out): back to it.
    expect(shownVersionIndex({ index: 0, newestAt: 'c' }, [{ at: 'b' }, { at: 'c' }, { at: 'd' }])).toBe(2);
    expect(shownVersionIndex({ index: 5, newestAt: 'c' }, three)).toBe(2);
    expect(shownVersionIndex(null, [{ at: 'a' }])).toBe(0);
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
