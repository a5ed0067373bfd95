import { LIMITS } from '@hubbub/core';
import { type FormEvent, type Ref, useId, useImperativeHandle, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { Field } from '../../ui/field';
import { agentChoices, newSessionName } from './agent-sessions';
import { useStartSession } from './use-agent-sessions';
import { useAgents } from './use-agents';

export interface NewSessionDialogHandle {
  open(): void;
}

/** "New conversation": pick an agent (@assistant first), name it if you like; Enter starts it and it opens. */
export function NewSessionDialog({ ref }: { ref: Ref<NewSessionDialogHandle> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const agents = useAgents();
  const choices = agentChoices(agents.data ?? []);
  const start = useStartSession();
  const [agentId, setAgentId] = useState('');
  const [name, setName] = useState('');
  const selectId = useId();

  useImperativeHandle(ref, () => ({
    open() {
      setAgentId('');
      setName('');
      start.reset();
      dialog.current?.showModal();
    },
  }));

  // Until one is picked, the first choice (@assistant) is.
  const chosen = choices.find((a) => a.userId === agentId) ?? choices[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || start.pending) return;
    try {
      await start.go(chosen.userId, newSessionName(name));
      dialog.current?.close();
    } catch {
      // Shown below the form (start.error).
    }
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={`${selectId}-title`} data-testid="new-session-dialog">
      <form onSubmit={submit} noValidate>
        <h2 id={`${selectId}-title`}>New conversation</h2>
        <p className="muted">
          A conversation of your own with an agent: it answers every message. Start as many as you like.
        </p>
        <div className="field">
          <label htmlFor={selectId}>Agent</label>
          <select
            id={selectId}
            value={chosen?.userId ?? ''}
            onChange={(e) => setAgentId(e.target.value)}
            disabled={choices.length === 0}
            data-testid="new-session-agent"
          >
            {choices.map((agent) => (
              <option key={agent.userId} value={agent.userId}>
                {agent.name} (@{agent.handle})
              </option>
            ))}
          </select>
          {agents.isError && (
            <p className="field-error" role="alert">
              Couldn’t load the agents: {errorMessage(agents.error)}
            </p>
          )}
        </div>
        <Field
          label="Name (optional)"
          name="name"
          value={name}
          maxLength={LIMITS.channelName}
          onChange={(e) => setName(e.target.value)}
          hint="What it is about; you can rename it later."
          placeholder="New conversation"
          autoFocus
          data-testid="new-session-name"
        />
        {start.error && (
          <p className="form-error" role="alert">
            {errorMessage(start.error)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={!chosen || start.pending}
            data-testid="new-session-start"
          >
            {start.pending ? 'Starting…' : 'Start'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
