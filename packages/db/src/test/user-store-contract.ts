import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, type MakeStores, type StoresUnderTest } from './stores-harness';

/** The UserStore contract: run it against every implementation. */
export function userStoreContract(name: string, makeStores: MakeStores): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    it('makes the first user of a database admin and the following ones members', async () => {
      const first = await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h1' });
      const second = await stores.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'h2' });
      const third = await stores.users.create({ handle: 'cy', displayName: 'Cy', passwordHash: 'h3' });
      expect(first.role).toBe('admin');
      expect(second.role).toBe('member');
      expect(third.role).toBe('member');
    });

    it('returns the created user with an id and an ISO creation date, without the secret', async () => {
      const user = await stores.users.create({ handle: 'ada', displayName: 'Ada L.', passwordHash: 'secret' });
      expect(user).toEqual({
        id: expect.any(String),
        handle: 'ada',
        displayName: 'Ada L.',
        role: 'admin',
        createdAt: expect.any(String),
      });
      expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);
      expect(user).not.toHaveProperty('passwordHash');
    });

    it('answers CONFLICT for a taken handle and keeps the first user', async () => {
      const ada = await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h1' });
      await expectAppError(
        stores.users.create({ handle: 'ada', displayName: 'Impostor', passwordHash: 'h2' }),
        'CONFLICT',
      );
      const stored = await stores.users.byHandleWithSecret('ada');
      expect(stored?.id).toBe(ada.id);
      expect(stored?.passwordHash).toBe('h1');
    });

    it('does not hand out admin twice when the first create failed on a conflict', async () => {
      await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h1' });
      await expectAppError(stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' }), 'CONFLICT');
      expect((await stores.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'h2' })).role).toBe(
        'member',
      );
    });

    it('finds users by id', async () => {
      const ada = await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h1' });
      const bob = await stores.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'h2' });
      expect(await stores.users.byId(ada.id)).toEqual(ada);
      expect(await stores.users.byId(bob.id)).toEqual(bob);
      const found = await stores.users.byId(bob.id);
      expect(found).not.toHaveProperty('passwordHash');
    });

    it('byHandleWithSecret returns the user with the password hash', async () => {
      const ada = await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'scrypt$abc' });
      expect(await stores.users.byHandleWithSecret('ada')).toEqual({ ...ada, passwordHash: 'scrypt$abc' });
    });

    it('returns null for unknown ids and handles', async () => {
      await stores.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h1' });
      expect(await stores.users.byId('no-such-id')).toBeNull();
      expect(await stores.users.byHandleWithSecret('nobody')).toBeNull();
    });
  });
}
