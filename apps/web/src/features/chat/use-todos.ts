import type { TodoList, TodoStatus } from '@hubbub/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../../trpc';
import { todosKey } from './query-keys';
import { newerTodos, undoTodoStatus, withTodoStatus } from './todo-rules';

/**
 * A channel's plan. The channel stream keeps it current (todo.updated, in
 * chat-live.ts), so it is read once per channel and again only after a reset.
 */
export function useTodos(channelId: string) {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: todosKey(channelId),
    queryFn: async ({ signal }) => {
      const read = await client.todo.list.query({ channelId }, { signal });
      // The stream may have brought a newer plan while this read was on its way.
      return newerTodos(queryClient.getQueryData<TodoList>(todosKey(channelId)), read);
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Ticks an item: shown at once, undone if the server refuses (unless a newer change came meanwhile). */
export function useTodoUpdate(channelId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = todosKey(channelId);
  return useMutation(
    trpc.todo.update.mutationOptions({
      meta: { inlineErrors: true },
      onMutate: async ({ id, status }) => {
        await queryClient.cancelQueries({ queryKey: key });
        const from: TodoStatus | undefined = queryClient
          .getQueryData<TodoList>(key)
          ?.items.find((item) => item.id === id)?.status;
        queryClient.setQueryData<TodoList>(key, (list) => withTodoStatus(list, id, status));
        return { from };
      },
      onError: (_error, { id, status }, context) => {
        const from = context?.from;
        if (from) queryClient.setQueryData<TodoList>(key, (list) => undoTodoStatus(list, id, { from, to: status }));
      },
      onSuccess: (todos) => queryClient.setQueryData<TodoList>(key, (list) => newerTodos(list, todos)),
    }),
  );
}
