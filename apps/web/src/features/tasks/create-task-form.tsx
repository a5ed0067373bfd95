import { ZCreateTaskInput } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { errorMessage, type FieldErrors, fieldErrors } from '../../lib/errors';
import { validate } from '../../lib/validation';
import { useTRPC } from '../../trpc';
import { Field } from '../../ui/field';
import { PlusIcon } from '../../ui/icons';
import { parseJsonInput } from './format';
import { useTaskLive } from './queries';
import type { Task } from './types';

const MAX_STEPS = 1_000_000;

/** "" → no total; otherwise a whole number in range, or a sentence saying what is wrong. */
function parseSteps(text: string): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: undefined };
  const n = Number(trimmed);
  if (!Number.isInteger(n) || n < 1 || n > MAX_STEPS) {
    return { ok: false, error: `A whole number from 1 to ${MAX_STEPS.toLocaleString()}.` };
  }
  return { ok: true, value: n };
}

/**
 * Queues a task: title, the agent that should run it (empty: any), how many
 * steps to expect, optional input JSON checked as you type, and whether the
 * input and result are sensitive (kept from the other members).
 */
export function CreateTaskForm({ agents, onCreated }: { agents: string[]; onCreated(task: Task): void }) {
  const trpc = useTRPC();
  const live = useTaskLive();
  const id = useId();
  const titleWrap = useRef<HTMLDivElement>(null);
  const [title, setTitle] = useState('');
  const [agent, setAgent] = useState('');
  const [steps, setSteps] = useState('');
  const [showInput, setShowInput] = useState(false);
  const [inputText, setInputText] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(trpc.task.create.mutationOptions({ meta: { inlineErrors: true } }));

  const json = parseJsonInput(showInput ? inputText : '');
  const jsonError = json.ok ? undefined : json.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const stepCheck = parseSteps(steps);
    const checked = validate(ZCreateTaskInput, {
      title,
      agent: agent.trim() || undefined,
      totalSteps: stepCheck.ok ? stepCheck.value : undefined,
      input: json.ok ? json.value : undefined,
      sensitive: sensitive || undefined,
    });
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (!stepCheck.ok) found.totalSteps = stepCheck.error;
    if (!json.ok) found.input = json.error;
    if (!checked.ok || !stepCheck.ok || !json.ok) {
      setErrors(found);
      return;
    }
    setErrors({});
    try {
      const task = (await create.mutateAsync(checked.data)) as Task;
      live.confirm(task, 'run_created');
      setTitle('');
      setInputText('');
      onCreated(task);
      titleWrap.current?.querySelector('input')?.focus();
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };

  const serverError = create.error && !Object.values(fieldErrors(create.error)).some(Boolean);
  const inputError = jsonError ?? errors.input;

  return (
    <form
      className="create-task card"
      onSubmit={submit}
      noValidate
      data-testid="create-task-form"
      aria-labelledby={`${id}-title`}
    >
      <div className="card-head">
        <h2 className="card-title" id={`${id}-title`}>
          New task
        </h2>
        <span className="muted small">An agent picks it up as soon as it is queued.</span>
      </div>
      <div className="create-task-fields">
        <div className="create-title" ref={titleWrap}>
          <Field
            label="Title"
            name="title"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            error={errors.title}
            placeholder="Index the handbook"
            autoComplete="off"
            data-testid="task-title-input"
          />
        </div>
        <div className="create-agent">
          <Field
            label="Agent"
            name="agent"
            value={agent}
            maxLength={64}
            onChange={(e) => setAgent(e.target.value)}
            error={errors.agent}
            placeholder="any agent"
            list={`${id}-agents`}
            autoComplete="off"
            spellCheck={false}
            data-testid="task-agent-input"
          />
          <datalist id={`${id}-agents`}>
            {agents.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="create-steps">
          <Field
            label="Steps"
            name="totalSteps"
            value={steps}
            inputMode="numeric"
            onChange={(e) => setSteps(e.target.value)}
            error={errors.totalSteps}
            placeholder="optional"
            autoComplete="off"
            data-testid="task-steps-input"
          />
        </div>
        <div className="create-submit">
          <button
            type="submit"
            className="button primary"
            disabled={create.isPending || Boolean(jsonError)}
            data-testid="create-task-submit"
          >
            <PlusIcon />
            {create.isPending ? 'Creating…' : 'Create task'}
          </button>
        </div>
      </div>

      {showInput ? (
        <div className="field create-input">
          <div className="create-input-head">
            <label htmlFor={`${id}-input`}>Input (JSON, optional)</label>
            <button
              type="button"
              className="link-button small"
              onClick={() => {
                setShowInput(false);
                setErrors((e) => ({ ...e, input: undefined }));
              }}
            >
              Remove input
            </button>
          </div>
          <textarea
            id={`${id}-input`}
            className="json-input"
            value={inputText}
            onChange={(e) => setInputText(e.target.value)}
            rows={4}
            spellCheck={false}
            placeholder={'{ "url": "https://example.com", "depth": 2 }'}
            aria-invalid={inputError ? true : undefined}
            aria-describedby={`${id}-input-help`}
            data-testid="task-input-json"
          />
          {inputError ? (
            <p className="field-error" id={`${id}-input-help`} role="alert" data-testid="json-error">
              {inputError}
            </p>
          ) : (
            <p className="field-hint" id={`${id}-input-help`}>
              {json.ok && !json.empty ? 'Valid JSON.' : 'Any JSON value; the agent receives it as the task’s input.'}
            </p>
          )}
        </div>
      ) : (
        <button
          type="button"
          className="link-button small add-input"
          onClick={() => setShowInput(true)}
          data-testid="add-input-button"
        >
          + Add input JSON
        </button>
      )}

      <label className="create-sensitive">
        <input
          type="checkbox"
          className="sensitive-checkbox"
          checked={sensitive}
          onChange={(e) => setSensitive(e.target.checked)}
          data-testid="task-sensitive-checkbox"
        />
        Sensitive input (only you, the agent and admins see input and result)
      </label>

      {serverError && (
        <p className="form-error" role="alert" data-testid="create-task-error">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}
