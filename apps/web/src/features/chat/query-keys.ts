import type { QueryKey } from '@tanstack/react-query';

/** The channel list's place in the query cache (kept apart from the list's query, which needs the tRPC client). */
export const channelsKey: QueryKey = ['hubbub', 'channels'];

/** A channel's plan (todo.list), kept current by the channel stream's todo.updated. */
export const todosKey = (channelId: string): QueryKey => ['hubbub', 'todos', channelId];
