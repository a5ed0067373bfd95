import { useStore } from '../../lib/store';
import { useChatLive } from '../chat/live-context';
import type { AgentAtWork } from './agent-status';

const NOBODY: AgentAtWork[] = [];

/** The agents thinking in a channel now (from its stream's agent.status signals). */
export function useAgentStatus(channelId: string): AgentAtWork[] {
  return useStore(useChatLive().agentStatus, (s) => s[channelId] ?? NOBODY);
}
