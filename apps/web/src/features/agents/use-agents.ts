import type { AgentSummary } from '@hubbub/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../../trpc';

const NONE: AgentSummary[] = [];

/** The agent registry (kept current by the user stream's agent.changed). */
export function useAgents() {
  const trpc = useTRPC();
  return useQuery(trpc.agent.list.queryOptions(undefined, { staleTime: 5 * 60_000 }));
}

/** The user ids of the registered agents: member rows and cards tag them. */
export function useAgentIds(): ReadonlySet<string> {
  const agents = useAgents().data ?? NONE;
  return useMemo(() => new Set(agents.map((agent) => agent.userId)), [agents]);
}
