import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../../trpc';
import { channelsKey } from '../chat/query-keys';
import type { ChannelSummary } from '../chat/types';
import { useOpenDirect } from '../chat/use-open-direct';
import { type AgentCheck, agentCheck, type DirectSplit, splitDirect } from './agent-sessions';
import { useAgents } from './use-agents';

/** Your direct conversations split into those with people and your sessions with agents (agent-sessions.ts). */
export function useDirectSplit(
  channels: readonly ChannelSummary[],
  meId: string,
): { split: DirectSplit<ChannelSummary>; isAgent: AgentCheck } {
  const agents = useAgents().data;
  return useMemo(() => {
    const isAgent = agentCheck(agents ? new Set(agents.map((a) => a.userId)) : null);
    return { split: splitDirect(channels, meId, isAgent), isAgent };
  }, [agents, channels, meId]);
}

/** Opens a new conversation with an agent (dm.open with `fresh`) and goes there. Errors are the caller's to show. */
export function useStartSession() {
  const direct = useOpenDirect();
  return { ...direct, go: (agentUserId: string, name?: string) => direct.go([agentUserId], { name }) };
}

/** Rename, archive and unarchive a session (its person may, like a channel's owner); the list is read again after. */
export function useSessionActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refreshList = () => queryClient.invalidateQueries({ queryKey: channelsKey });
  const rename = useMutation(trpc.channel.update.mutationOptions({ onSuccess: refreshList }));
  const archive = useMutation(trpc.channel.archive.mutationOptions({ onSuccess: refreshList }));
  const unarchive = useMutation(trpc.channel.unarchive.mutationOptions({ onSuccess: refreshList }));
  return {
    pending: rename.isPending || archive.isPending || unarchive.isPending,
    rename: (channelId: string, name: string) => rename.mutateAsync({ channelId, name }),
    archive: (channelId: string) => archive.mutateAsync({ channelId }),
    unarchive: (channelId: string) => unarchive.mutateAsync({ channelId }),
  };
}
