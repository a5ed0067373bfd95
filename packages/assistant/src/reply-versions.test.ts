import type { Message, ReplyVersion } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { KEPT_VERSIONS, versionsAfterRegenerate } from './reply-versions';

const reply = (patch: Partial<Message> = {}) => ({
  content: 'Seven.',
  status: 'complete' as Message['status'],
  createdAt: '2025-01-01T00:00:00.000Z',
  meta: { model: 'scripted-1', requestedBy: 'u1' } as Message['meta'],
  ...patch,
});
const version = (n: number): ReplyVersion => ({ text: `v${n}`, at: `2025-01-0${n}T00:00:00.000Z`, status: 'complete' });

describe('versionsAfterRegenerate', () => {
  it('keeps the first text, with its model, status and when it was asked for', () => {
    expect(versionsAfterRegenerate(reply())).toEqual([
      { text: 'Seven.', model: 'scripted-1', at: '2025-01-01T00:00:00.000Z', status: 'complete' },
    ]);
  });

  it('a regenerated text is dated by its regeneration, after the versions before it', () => {
    const regenerated = reply({
      content: 'Four.',
      status: 'cancelled',
      meta: { model: 'm2', versions: [version(1)], regeneratedAt: '2025-01-02T10:00:00.000Z' },
    });
    expect(versionsAfterRegenerate(regenerated)).toEqual([
      version(1),
      { text: 'Four.', model: 'm2', at: '2025-01-02T10:00:00.000Z', status: 'cancelled' },
    ]);
  });

  it(`keeps at most the last ${KEPT_VERSIONS}, dropping the oldest`, () => {
    const full = [1, 2, 3, 4, 5].map(version);
    expect(KEPT_VERSIONS).toBe(5);
    const next = versionsAfterRegenerate(reply({ content: 'v6', meta: { versions: full } }));
    expect(next.map((v) => v.text)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
  });

  it('an empty (failed) text is not a version worth keeping', () => {
    const failed = reply({ content: '  ', status: 'failed', meta: { versions: [version(1)], error: 'boom' } });
    expect(versionsAfterRegenerate(failed)).toEqual([version(1)]);
    expect(versionsAfterRegenerate(reply({ content: '', status: 'failed', meta: null }))).toEqual([]);
  });

  it('a failed reply with partial text is kept as failed', () => {
    expect(versionsAfterRegenerate(reply({ content: 'I was say', status: 'failed', meta: null }))).toEqual([
      { text: 'I was say', at: '2025-01-01T00:00:00.000Z', status: 'failed' },
    ]);
  });
});
