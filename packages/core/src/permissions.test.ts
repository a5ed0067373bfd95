import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import {
  assertCanArchive,
  assertCanJoin,
  assertCanModify,
  assertCanPost,
  assertCanRead,
  assertNotArchived,
  type Membership,
} from './permissions';
import type { Channel, Message, User } from './types';

const channel = (over: Partial<Channel> = {}): Channel => ({
  id: 'c1',
  slug: 'team',
  name: 'Team',
  topic: null,
  visibility: 'public',
  kind: 'channel',
  createdBy: 'owner',
  memberCount: 1,
  lastMessageAt: null,
  archivedAt: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  lastOffset: 0,
  ...over,
});
const user = (id: string, role: User['role'] = 'member'): User => ({
  id,
  handle: id,
  displayName: id,
  role,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const message = (over: Partial<Message> = {}): Message => ({
  id: 'm1',
  seq: 1,
  channelId: 'c1',
  authorId: 'alice',
  author: { handle: 'alice', displayName: 'Alice' },
  role: 'user',
  status: 'complete',
  content: 'hi',
  clientId: null,
  meta: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  editedAt: null,
  ...over,
});

const member: Membership = { role: 'member' };
const owner: Membership = { role: 'owner' };
const privateChannel = channel({ visibility: 'private' });
const archived = channel({ archivedAt: '2025-02-01T00:00:00.000Z' });

/** Runs `fn` and returns the AppError code it threw, or null. */
function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
}

describe('reading', () => {
  it('lets anyone read a public channel', () => {
    expect(codeOf(() => assertCanRead(channel(), null))).toBeNull();
    expect(codeOf(() => assertCanRead(channel(), member))).toBeNull();
  });

  it('lets only members read a private channel; to others it does not exist', () => {
    expect(codeOf(() => assertCanRead(privateChannel, null))).toBe('NOT_FOUND');
    expect(codeOf(() => assertCanRead(privateChannel, member))).toBeNull();
    expect(codeOf(() => assertCanRead(privateChannel, owner))).toBeNull();
  });

  it('keeps archived channels readable', () => {
    expect(codeOf(() => assertCanRead(archived, null))).toBeNull();
    expect(codeOf(() => assertCanRead(archived, member))).toBeNull();
  });
});

describe('posting', () => {
  it('lets members post in a public channel, not outsiders', () => {
    expect(codeOf(() => assertCanPost(channel(), member))).toBeNull();
    expect(codeOf(() => assertCanPost(channel(), null))).toBe('FORBIDDEN');
  });

  it('lets only members post in a private channel', () => {
    expect(codeOf(() => assertCanPost(privateChannel, null))).toBe('NOT_FOUND');
    expect(codeOf(() => assertCanPost(privateChannel, member))).toBeNull();
  });

  it('makes archived channels read-only, even for the owner', () => {
    expect(codeOf(() => assertCanPost(archived, member))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanPost(archived, owner))).toBe('FORBIDDEN');
    expect(codeOf(() => assertNotArchived(archived))).toBe('FORBIDDEN');
    expect(codeOf(() => assertNotArchived(channel()))).toBeNull();
  });

  it('explains why with a message', () => {
    expect(() => assertCanPost(archived, member)).toThrow(/archived/);
    expect(() => assertCanPost(channel(), null)).toThrow(/join/);
    expect(() => assertCanPost(privateChannel, null)).toThrow('channel not found');
  });
});

describe('joining', () => {
  it('lets anyone join a public channel', () => {
    expect(codeOf(() => assertCanJoin(channel(), user('bob')))).toBeNull();
  });

  it('keeps people out of private channels unless admin', () => {
    expect(codeOf(() => assertCanJoin(privateChannel, user('bob')))).toBe('NOT_FOUND');
    expect(codeOf(() => assertCanJoin(privateChannel, user('boss', 'admin')))).toBeNull();
  });

  it('refuses joining an archived channel', () => {
    expect(codeOf(() => assertCanJoin(archived, user('bob')))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanJoin(archived, user('boss', 'admin')))).toBe('FORBIDDEN');
  });
});

describe('archiving', () => {
  it('is allowed to the channel owner', () => {
    expect(codeOf(() => assertCanArchive(user('carol'), owner))).toBeNull();
  });

  it('is allowed to an admin, member or not', () => {
    expect(codeOf(() => assertCanArchive(user('boss', 'admin'), null))).toBeNull();
    expect(codeOf(() => assertCanArchive(user('boss', 'admin'), member))).toBeNull();
  });

  it('is refused to plain members, outsiders and agents', () => {
    expect(codeOf(() => assertCanArchive(user('bob'), member))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanArchive(user('bob'), null))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanArchive(user('bot', 'agent'), member))).toBe('FORBIDDEN');
  });
});

describe('modifying a message', () => {
  it('lets the author change their own message', () => {
    expect(codeOf(() => assertCanModify(user('alice'), message()))).toBeNull();
  });

  it('lets an admin change anyone’s message', () => {
    expect(codeOf(() => assertCanModify(user('boss', 'admin'), message()))).toBeNull();
    expect(
      codeOf(() => assertCanModify(user('boss', 'admin'), message({ authorId: null, role: 'system' }))),
    ).toBeNull();
  });

  it('refuses someone else’s message', () => {
    expect(codeOf(() => assertCanModify(user('bob'), message()))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanModify(user('bot', 'agent'), message()))).toBe('FORBIDDEN');
  });

  it('answers CONFLICT for an assistant reply that is still streaming', () => {
    const streaming = message({ authorId: null, author: null, role: 'assistant', status: 'streaming' });
    expect(codeOf(() => assertCanModify(user('boss', 'admin'), streaming))).toBe('CONFLICT');
  });

  it('allows changing an assistant reply once it has finished', () => {
    for (const status of ['complete', 'cancelled', 'failed'] as const) {
      const reply = message({ authorId: null, author: null, role: 'assistant', status });
      expect(codeOf(() => assertCanModify(user('boss', 'admin'), reply))).toBeNull();
    }
  });

  it('checks ownership before the streaming state', () => {
    const streaming = message({ authorId: null, author: null, role: 'assistant', status: 'streaming' });
    expect(codeOf(() => assertCanModify(user('bob'), streaming))).toBe('FORBIDDEN');
  });
});
