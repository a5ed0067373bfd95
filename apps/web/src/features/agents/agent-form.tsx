import {
  AGENT_LIMITS,
  AGENT_TOOLS,
  type AgentSummary,
  type AgentTool,
  LIMITS,
  type ToolApproval,
  ZAgentUpsertInput,
} from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorCode, errorMessage, type FieldErrors, fieldErrors } from '../../lib/errors';
import { validate } from '../../lib/validation';
import { useTRPC } from '../../trpc';
import { Field } from '../../ui/field';

/** What each tool does, in a line (the tool loop runs them with the asker's permissions). */
const TOOL_HINTS: Record<AgentTool, string> = {
  search_messages: 'Search messages the asker can read',
  read_channel: 'Read a channel the asker can read',
  list_tasks: 'List tasks',
  get_task: 'Read a task',
  create_task: 'Create a task (asks first by default)',
  post_message: 'Post in another channel (asks first by default)',
  update_todos: 'Keep a plan for the conversation',
};

interface FormValues {
  handle: string;
  name: string;
  instructions: string;
  model: string;
  avatar: string;
  tools: AgentTool[];
  /** Per tool; absent: the default. */
  approval: Partial<Record<AgentTool, ToolApproval>>;
}

const valuesOf = (agent: AgentSummary | null): FormValues => ({
  handle: agent?.handle ?? '',
  name: agent?.name ?? '',
  instructions: agent?.instructions ?? '',
  model: agent?.model ?? '',
  avatar: agent?.avatar ?? '',
  tools: agent?.tools ?? [],
  approval: agent?.approval ?? {},
});

interface AgentFormProps {
  /** The agent to edit; null: a new one. */
  agent: AgentSummary | null;
  onDone(): void;
}

/** Create or edit an agent: the same zod rules as the server, its refusals shown by the field they concern. */
export function AgentForm({ agent, onDone }: AgentFormProps) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(() => valuesOf(agent));
  const [errors, setErrors] = useState<FieldErrors>({});
  const upsert = useMutation(trpc.agent.upsert.mutationOptions({ meta: { inlineErrors: true } }));
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  const toggleTool = (tool: AgentTool, on: boolean) =>
    setValues((v) => {
      const { [tool]: _dropped, ...approval } = v.approval;
      return {
        ...v,
        tools: on ? AGENT_TOOLS.filter((t) => t === tool || v.tools.includes(t)) : v.tools.filter((t) => t !== tool),
        approval: on ? v.approval : approval,
      };
    });

  const setApproval = (tool: AgentTool, choice: ToolApproval | 'default') =>
    setValues((v) => {
      const { [tool]: _dropped, ...approval } = v.approval;
      return { ...v, approval: choice === 'default' ? approval : { ...approval, [tool]: choice } };
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = validate(ZAgentUpsertInput, {
      handle: values.handle,
      name: values.name,
      instructions: values.instructions,
      model: values.model.trim() || null,
      tools: values.tools,
      approval: values.approval,
      avatar: values.avatar.trim() || null,
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      await upsert.mutateAsync(checked.data);
      await queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() });
      onDone();
    } catch (error) {
      // A handle taken by a person or an API key is a CONFLICT: show it under the handle.
      setErrors(errorCode(error) === 'CONFLICT' ? { handle: errorMessage(error) } : fieldErrors(error));
    }
  };

  const serverError =
    upsert.error && errorCode(upsert.error) !== 'CONFLICT' && !Object.values(fieldErrors(upsert.error)).some(Boolean);

  return (
    <form onSubmit={submit} noValidate data-testid="agent-form" className="agent-form">
      <h3>{agent ? `Edit @${agent.handle}` : 'New agent'}</h3>
      <Field
        label="Handle"
        name="handle"
        value={values.handle}
        maxLength={LIMITS.handle.max}
        onChange={(e) => set('handle', e.target.value)}
        error={errors.handle}
        hint="People ask it with @handle."
        disabled={agent !== null}
        spellCheck={false}
        autoFocus={agent === null}
        data-testid="agent-handle"
      />
      <Field
        label="Name"
        name="name"
        value={values.name}
        maxLength={AGENT_LIMITS.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        autoFocus={agent !== null}
        data-testid="agent-name"
      />
      <div className="field">
        <label htmlFor={`${id}-instructions`}>Instructions</label>
        <textarea
          id={`${id}-instructions`}
          value={values.instructions}
          maxLength={AGENT_LIMITS.instructions}
          rows={5}
          onChange={(e) => set('instructions', e.target.value)}
          aria-invalid={errors.instructions ? true : undefined}
          aria-describedby={`${id}-instructions-help`}
          data-testid="agent-instructions"
        />
        {errors.instructions ? (
          <p className="field-error" id={`${id}-instructions-help`} role="alert">
            {errors.instructions}
          </p>
        ) : (
          <p className="field-hint" id={`${id}-instructions-help`}>
            Its system prompt (empty: the server’s default).
          </p>
        )}
      </div>
      <Field
        label="Model (optional)"
        name="model"
        value={values.model}
        maxLength={AGENT_LIMITS.model}
        onChange={(e) => set('model', e.target.value)}
        error={errors.model}
        hint="Empty: the server’s model."
        spellCheck={false}
        data-testid="agent-model"
      />
      <Field
        label="Avatar (optional)"
        name="avatar"
        value={values.avatar}
        maxLength={AGENT_LIMITS.avatar}
        onChange={(e) => set('avatar', e.target.value)}
        error={errors.avatar}
        hint="An emoji."
        data-testid="agent-avatar"
      />
      <fieldset className="agent-tools">
        <legend>Tools it may use</legend>
        <p className="field-hint">
          Kept with the agent for tool calling, which is not in this version yet: today agents answer in text only.
        </p>
        {AGENT_TOOLS.map((tool) => {
          const on = values.tools.includes(tool);
          return (
            <div className="agent-tool" key={tool}>
              <label>
                <input
                  type="checkbox"
                  checked={on}
                  onChange={(e) => toggleTool(tool, e.target.checked)}
                  data-testid={`agent-tool-${tool}`}
                />
                <span>
                  <code>{tool}</code> — {TOOL_HINTS[tool]}
                </span>
              </label>
              {on && (
                <select
                  aria-label={`Approval for ${tool}`}
                  value={values.approval[tool] ?? 'default'}
                  onChange={(e) => setApproval(tool, e.target.value as ToolApproval | 'default')}
                >
                  <option value="default">Default</option>
                  <option value="ask">Ask a person first</option>
                  <option value="auto">Run at once</option>
                </select>
              )}
            </div>
          );
        })}
        {(errors.tools || errors.approval) && (
          <p className="field-error" role="alert">
            {errors.tools ?? errors.approval}
          </p>
        )}
      </fieldset>
      {serverError && (
        <p className="form-error" role="alert">
          {errorMessage(upsert.error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={upsert.isPending} data-testid="agent-save">
          {upsert.isPending ? 'Saving…' : agent ? 'Save' : 'Add agent'}
        </button>
      </div>
    </form>
  );
}
