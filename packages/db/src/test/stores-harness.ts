import { AppError, type AppErrorCode, type ChatStore, type PeopleStore, type User, type UserStore } from '@hubbub/core';
import { expect } from 'vitest';

/** What a contract suite needs from an implementation: fresh, empty stores (plus `general`) per call. */
export interface StoresUnderTest {
  users: UserStore;
  chat: ChatStore;
  people: PeopleStore;
  close(): Promise<void>;
}
export type MakeStores = () => Promise<StoresUnderTest>;

let counter = 0;
/** A user with a unique handle; the hash is a placeholder (stores never look inside it). */
export function makeUser(users: UserStore, handle = `user${++counter}`): Promise<User> {
  return users.create({ handle, displayName: handle.toUpperCase(), passwordHash: `hash-of-${handle}` });
}

/** Two people, and a public channel the first of them created (its owner; the second is not in it). */
export async function twoPeopleAndAChannel(stores: Pick<StoresUnderTest, 'users' | 'chat'>, slugPrefix: string) {
  const ada = await makeUser(stores.users);
  const bob = await makeUser(stores.users);
  const { channel } = await stores.chat.createChannel({
    slug: `${slugPrefix}${ada.handle}`,
    name: slugPrefix.toUpperCase(),
    visibility: 'public',
    createdBy: ada.id,
  });
  return { ada, bob, channel };
}

/** Asserts that `promise` rejects with an AppError carrying `code`. */
export async function expectAppError(promise: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected an AppError ${code}`).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

/** A users row written straight to the table (stream log tests, where no store is in the way). */
export const newUserRow = (handle: string) => ({
  id: `user-${handle}`,
  handle,
  displayName: handle,
  role: 'member' as const,
  passwordHash: 'not-a-hash',
  createdAt: new Date().toISOString(),
});
