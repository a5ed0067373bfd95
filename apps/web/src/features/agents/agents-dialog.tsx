import type { AgentSummary } from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type Ref, useImperativeHandle, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { AgentIcon } from '../../ui/icons';
import { AgentForm } from './agent-form';
import { useAgents } from './use-agents';
import './agents.css';

export interface AgentsDialogHandle {
  open(): void;
}

type View = { name: 'list' } | { name: 'edit'; agent: AgentSummary | null };

/** Admins' registry of agents: the list, a form to add or change one, removal after a confirmation. */
export function AgentsDialog({ ref }: { ref: Ref<AgentsDialogHandle> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<View>({ name: 'list' });

  useImperativeHandle(ref, () => ({
    open() {
      setView({ name: 'list' });
      dialog.current?.showModal();
    },
  }));

  return (
    <dialog ref={dialog} className="dialog agents-dialog" aria-labelledby="agents-title" data-testid="agents-dialog">
      <h2 id="agents-title">Agents</h2>
      {view.name === 'list' ? (
        <AgentList onEdit={(agent) => setView({ name: 'edit', agent })} onClose={() => dialog.current?.close()} />
      ) : (
        <AgentForm agent={view.agent} onDone={() => setView({ name: 'list' })} />
      )}
    </dialog>
  );
}

function AgentList({ onEdit, onClose }: { onEdit(agent: AgentSummary | null): void; onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agents = useAgents();
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useMutation(
    trpc.agent.remove.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: async () => {
        setConfirming(null);
        await queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() });
      },
    }),
  );

  return (
    <>
      <p className="field-hint">Mention an agent’s @handle to ask it, or message it directly.</p>
      {agents.error && (
        <p className="form-error" role="alert">
          {errorMessage(agents.error)}
        </p>
      )}
      <ul className="agent-list">
        {agents.data?.map((agent) => (
          <li key={agent.handle} className="agent-row" data-testid="agent-row" data-handle={agent.handle}>
            <span className="agent-avatar" aria-hidden="true">
              {agent.avatar ?? <AgentIcon size={18} />}
            </span>
            <span className="agent-who">
              <strong>{agent.name}</strong> <span className="agent-handle">@{agent.handle}</span>
              {agent.builtIn && <span className="tag">built-in</span>}
            </span>
            {confirming === agent.handle ? (
              <span className="agent-confirm" data-testid="agent-remove-question">
                Remove @{agent.handle}?
                <button
                  type="button"
                  className="button danger small"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ handle: agent.handle })}
                  data-testid="agent-remove-confirm"
                >
                  Remove
                </button>
                <button type="button" className="button small" onClick={() => setConfirming(null)}>
                  Keep
                </button>
              </span>
            ) : (
              <span className="agent-actions">
                <button type="button" className="button small" onClick={() => onEdit(agent)}>
                  Edit
                </button>
                {!agent.builtIn && (
                  <button
                    type="button"
                    className="button small"
                    onClick={() => {
                      remove.reset();
                      setConfirming(agent.handle);
                    }}
                    aria-label={`Remove @${agent.handle}`}
                  >
                    Remove
                  </button>
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
      {remove.error && (
        <p className="form-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="button" className="button primary" onClick={() => onEdit(null)} data-testid="agent-new">
          New agent
        </button>
      </div>
    </>
  );
}
