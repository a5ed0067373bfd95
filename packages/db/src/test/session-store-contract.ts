import { isSessionLive, type SessionStore, type UserStore } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeUser } from './stores-harness';

interface SessionStoresUnderTest {
  users: UserStore;
  sessions: SessionStore;
  close(): Promise<void>;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
let counter = 0;
const newSession = (userId: string, expiresAt = inDays(30)) => ({
  id: `session-${process.pid}-${++counter}`,
  userId,
  secretHash: `hash-${counter}`,
  expiresAt,
});

/** The SessionStore contract: run it against every implementation. */
export function sessionStoreContract(name: string, makeStores: () => Promise<SessionStoresUnderTest>): void {
  describe(name, () => {
    let stores: SessionStoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    it('stores a session and finds it with its secret hash, live until it ends', async () => {
      const user = await makeUser(stores.users);
      const input = newSession(user.id);
      const session = await stores.sessions.create(input);
      expect(session).toEqual({
        id: input.id,
        userId: user.id,
        createdAt: expect.any(String),
        expiresAt: input.expiresAt,
        revokedAt: null,
      });
      expect(session).not.toHaveProperty('secretHash');
      const found = await stores.sessions.byIdWithSecret(input.id);
      expect(found).toEqual({ ...session, secretHash: input.secretHash });
      expect(isSessionLive(session, Date.now())).toBe(true);
      expect(isSessionLive(session, Date.parse(input.expiresAt) + 1)).toBe(false);
      expect(await stores.sessions.byIdWithSecret('no-such-session')).toBeNull();
    });

    it('reads a session with its person in one call, the password hash left out', async () => {
      const user = await makeUser(stores.users);
      const input = newSession(user.id);
      const session = await stores.sessions.create(input);
      expect(await stores.sessions.withUser(input.id)).toEqual({
        session: { ...session, secretHash: input.secretHash },
        user,
      });
      const first = '2030-01-01T00:00:00.000Z';
      await stores.sessions.revoke(input.id, first);
      expect((await stores.sessions.withUser(input.id))?.session.revokedAt).toBe(first);
      expect(await stores.sessions.withUser('no-such-session')).toBeNull();
    });

    it('revokes one session, keeping the time of the first revocation', async () => {
      const user = await makeUser(stores.users);
      const { id } = await stores.sessions.create(newSession(user.id));
      const other = await stores.sessions.create(newSession(user.id));
      const first = '2030-01-01T00:00:00.000Z';
      expect((await stores.sessions.revoke(id, first))?.revokedAt).toBe(first);
      expect((await stores.sessions.revoke(id, '2031-01-01T00:00:00.000Z'))?.revokedAt).toBe(first);
      expect((await stores.sessions.byIdWithSecret(other.id))?.revokedAt).toBeNull();
      expect(await stores.sessions.revoke('no-such-session', first)).toBeNull();
    });

    it("revokes every live session of one user and no one else's", async () => {
      const alice = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const a1 = await stores.sessions.create(newSession(alice.id));
      const a2 = await stores.sessions.create(newSession(alice.id));
      const a3 = await stores.sessions.create(newSession(alice.id));
      const b1 = await stores.sessions.create(newSession(bob.id));
      await stores.sessions.revoke(a3.id, '2030-01-01T00:00:00.000Z');
      const ended = await stores.sessions.revokeAllOf(alice.id, '2030-01-02T00:00:00.000Z');
      expect(ended.sort()).toEqual([a1.id, a2.id].sort());
      expect((await stores.sessions.byIdWithSecret(a3.id))?.revokedAt).toBe('2030-01-01T00:00:00.000Z');
      expect((await stores.sessions.byIdWithSecret(b1.id))?.revokedAt).toBeNull();
    });

    it('prunes sessions that ended before a time, and only those', async () => {
      const user = await makeUser(stores.users);
      const expired = await stores.sessions.create(newSession(user.id, inDays(-2)));
      const revoked = await stores.sessions.create(newSession(user.id));
      await stores.sessions.revoke(revoked.id, inDays(-3));
      const revokedToday = await stores.sessions.create(newSession(user.id));
      await stores.sessions.revoke(revokedToday.id, new Date().toISOString());
      const live = await stores.sessions.create(newSession(user.id));
      expect(await stores.sessions.prune(inDays(-1))).toBe(2);
      expect(await stores.sessions.byIdWithSecret(expired.id)).toBeNull();
      expect(await stores.sessions.byIdWithSecret(revoked.id)).toBeNull();
      expect(await stores.sessions.byIdWithSecret(revokedToday.id)).not.toBeNull();
      expect(await stores.sessions.byIdWithSecret(live.id)).not.toBeNull();
    });
  });
}
