import type { Message } from './types';

/** A person's message for tests: `message <seq>` by Other in channel `c1`, with `patch` on top. */
export function testMessage(seq: number, patch: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    seq,
    channelId: 'c1',
    authorId: 'u-other',
    author: { handle: 'other', displayName: 'Other' },
    role: 'user',
    status: 'complete',
    content: `message ${seq}`,
    clientId: null,
    meta: null,
    createdAt: new Date(2024, 0, 1, 12, seq).toISOString(),
    editedAt: null,
    ...patch,
  };
}

/** The assistant's reply `m1` to `u-asker`, still streaming and empty, with `patch` on top. */
export function testReply(patch: Partial<Message> = {}): Message {
  return testMessage(2, {
    id: 'm1',
    authorId: null,
    author: null,
    role: 'assistant',
    status: 'streaming',
    content: '',
    meta: { requestedBy: 'u-asker' },
    createdAt: '2025-01-01T00:00:00.000Z',
    ...patch,
  });
}
