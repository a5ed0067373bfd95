import type { ApiKey, ApiKeyStore, User, UserStore } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, makeUser } from './stores-harness';

/** What the ApiKeyStore contract needs: fresh, empty stores per call. */
export interface ApiKeyStoresUnderTest {
  users: UserStore;
  apiKeys: ApiKeyStore;
  close(): Promise<void>;
}
export type MakeApiKeyStores = () => Promise<ApiKeyStoresUnderTest>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let keyCounter = 0;

/** The ApiKeyStore contract: run on SQLite and PostgreSQL. */
export function apiKeyStoreContract(name: string, makeStores: MakeApiKeyStores): void {
  describe(name, () => {
    let stores: ApiKeyStoresUnderTest;
    let keys: ApiKeyStore;
    let admin: User;

    beforeEach(async () => {
      stores = await makeStores();
      keys = stores.apiKeys;
      admin = await makeUser(stores.users, 'admin');
    });
    afterEach(async () => {
      await stores.close();
    });

    const newKey = (name: string, role: ApiKey['role'] = 'agent', agents?: string[]) => {
      const n = ++keyCounter;
      return {
        id: `key${n}`.padEnd(32, '0'),
        name,
        role,
        prefix: `hb_key${n}`,
        secretHash: `sha256-of-secret-${n}`,
        createdBy: admin.id,
        ...(agents ? { agents } : {}),
      };
    };

    describe('create', () => {
      it('stores the key without its secret and makes a user with handle = name and the key’s role', async () => {
        const input = newKey('builder');
        const key = await keys.create(input);
        expect(key).toEqual({
          id: input.id,
          name: 'builder',
          role: 'agent',
          userId: expect.any(String),
          prefix: input.prefix,
          createdBy: admin.id,
          createdAt: expect.stringMatching(ISO),
          lastUsedAt: null,
          revokedAt: null,
          agents: ['builder'],
        });
        expect(key).not.toHaveProperty('secretHash');
        expect(key.userId).not.toBe(admin.id);
        expect(await stores.users.byId(key.userId)).toMatchObject({
          id: key.userId,
          handle: 'builder',
          displayName: 'builder',
          role: 'agent',
        });
      });

      it('keeps the agent names the key claims for, in order, and answers them from every read', async () => {
        const input = newKey('ci-bot', 'agent', ['builder', 'deployer']);
        const key = await keys.create(input);
        expect(key.agents).toEqual(['builder', 'deployer']);
        expect((await keys.byIdWithSecret(input.id))?.agents).toEqual(['builder', 'deployer']);
        expect((await keys.list()).map((k) => k.agents)).toEqual([['builder', 'deployer']]);
        expect((await keys.revoke(key.id)).agents).toEqual(['builder', 'deployer']);
      });

      it('gives a key minted without agent names its own name as the one agent', async () => {
        const input = newKey('builder');
        await keys.create(input);
        expect((await keys.byIdWithSecret(input.id))?.agents).toEqual(['builder']);
        expect((await keys.list())[0]?.agents).toEqual(['builder']);
      });

      it('gives a member key a member user', async () => {
        const key = await keys.create(newKey('script', 'member'));
        expect(key.role).toBe('member');
        expect((await stores.users.byId(key.userId))?.role).toBe('member');
      });

      it('gives every key its own user', async () => {
        const a = await keys.create(newKey('bot-a'));
        const b = await keys.create(newKey('bot-b'));
        expect(a.userId).not.toBe(b.userId);
      });

      it('answers CONFLICT when a user already has the name, and creates nothing', async () => {
        await makeUser(stores.users, 'ada');
        const error = await expectAppError(keys.create(newKey('ada')), 'CONFLICT');
        expect(error.message).toContain('ada');
        expect(await keys.list()).toEqual([]);
        expect((await stores.users.byHandleWithSecret('ada'))?.role).toBe('member');
      });

      it('answers CONFLICT when another key has the name, and keeps the first key', async () => {
        const first = await keys.create(newKey('builder'));
        const second = newKey('builder', 'member');
        await expectAppError(keys.create(second), 'CONFLICT');
        expect(await keys.list()).toEqual([first]);
        expect(await keys.byIdWithSecret(second.id)).toBeNull();
      });

      it('takes the name from people too: nobody can sign up as a key', async () => {
        await keys.create(newKey('builder'));
        await expectAppError(
          stores.users.create({ handle: 'builder', displayName: 'Impostor', passwordHash: 'h' }),
          'CONFLICT',
        );
      });
    });

    describe('byIdWithSecret', () => {
      it('returns the key with its secret hash', async () => {
        const input = newKey('builder');
        const key = await keys.create(input);
        expect(await keys.byIdWithSecret(input.id)).toEqual({ ...key, secretHash: input.secretHash });
      });

      it('answers null for an unknown id', async () => {
        await keys.create(newKey('builder'));
        expect(await keys.byIdWithSecret('no-such-key')).toBeNull();
      });
    });

    describe('list', () => {
      it('lists every key, revoked ones too, without secret hashes', async () => {
        const a = await keys.create(newKey('bot-a'));
        const b = await keys.create(newKey('bot-b', 'member'));
        const revoked = await keys.revoke(a.id);
        const listed = await keys.list();
        expect([...listed].sort((x, y) => x.name.localeCompare(y.name))).toEqual([revoked, b]);
        for (const key of listed) expect(key).not.toHaveProperty('secretHash');
      });

      it('is empty on a fresh database', async () => {
        expect(await keys.list()).toEqual([]);
      });
    });

    describe('revoke', () => {
      it('sets revokedAt and keeps the key readable', async () => {
        const key = await keys.create(newKey('builder'));
        const revoked = await keys.revoke(key.id);
        expect(revoked).toEqual({ ...key, revokedAt: expect.stringMatching(ISO) });
        expect(revoked).not.toHaveProperty('secretHash');
        expect((await keys.byIdWithSecret(key.id))?.revokedAt).toBe(revoked.revokedAt);
      });

      it('answers NOT_FOUND for an unknown key', async () => {
        await expectAppError(keys.revoke('no-such-key'), 'NOT_FOUND');
      });

      it('leaves the other keys alone', async () => {
        const a = await keys.create(newKey('bot-a'));
        const b = await keys.create(newKey('bot-b'));
        await keys.revoke(a.id);
        expect((await keys.byIdWithSecret(b.id))?.revokedAt).toBeNull();
      });
    });

    describe('touch', () => {
      it('sets lastUsedAt to the given time, and again on the next use', async () => {
        const key = await keys.create(newKey('builder'));
        await keys.touch(key.id, '2030-01-02T03:04:05.000Z');
        expect((await keys.byIdWithSecret(key.id))?.lastUsedAt).toBe('2030-01-02T03:04:05.000Z');
        await keys.touch(key.id, '2030-01-02T03:05:00.000Z');
        const stored = await keys.byIdWithSecret(key.id);
        expect(stored?.lastUsedAt).toBe('2030-01-02T03:05:00.000Z');
        expect(stored?.revokedAt).toBeNull();
        expect((await keys.list())[0]?.lastUsedAt).toBe('2030-01-02T03:05:00.000Z');
      });

      it('touches only that key, and ignores an unknown one', async () => {
        const a = await keys.create(newKey('bot-a'));
        const b = await keys.create(newKey('bot-b'));
        await keys.touch(a.id, '2030-01-01T00:00:00.000Z');
        await expect(keys.touch('no-such-key', '2030-01-01T00:00:00.000Z')).resolves.toBeUndefined();
        expect((await keys.byIdWithSecret(b.id))?.lastUsedAt).toBeNull();
      });
    });
  });
}
