/** A person's own stream: storing and publishing its changes, and the public channel directory (see core people.ts). */
import { type Channel, DIRECTORY_TOPIC, type UserChange, type UserStreamEvent, userTopic } from '@hubbub/core';
import type { AppDeps } from './context';

/** Publishes stored user events after their commit; best effort, like publishChanges (streams re-read the store). */
export async function publishUserEvents(deps: AppDeps, events: (UserStreamEvent | null)[]): Promise<void> {
  for (const event of events) {
    if (event) await deps.bus.publish(userTopic(event.userId), { kind: 'user', event }).catch(() => {});
  }
}

/** Stores each change in its user's stream, then tells their open streams. */
export async function tellUsers(deps: AppDeps, entries: { userId: string; change: UserChange }[]): Promise<void> {
  if (entries.length === 0) return;
  await publishUserEvents(deps, await deps.stores.people.append(entries));
}

/** A public channel appeared or changed: every signed-in list shows it (live only: lists are re-read on reconnect). */
export async function publishDirectory(deps: AppDeps, channel: Channel): Promise<void> {
  if (channel.visibility !== 'public') return;
  await deps.bus.publish(DIRECTORY_TOPIC, { kind: 'directory', channel }).catch(() => {});
}
