import type { Person } from '@hubbub/core';
import { type FormEvent, type Ref, useEffect, useId, useImperativeHandle, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { PeoplePicker } from './people-picker';

export interface PeopleDialogHandle {
  open(): void;
}

interface PeopleDialogProps {
  ref: Ref<PeopleDialogHandle>;
  title: string;
  intro: string;
  submitLabel: string;
  pendingLabel: string;
  excluded: ReadonlySet<string>;
  emptyText: string;
  max: number;
  /** Does the work; a throw is shown in the dialog, which stays open. */
  onSubmit(people: Person[]): Promise<void>;
  testId: string;
}

/**
 * A modal <dialog> around the people picker (focus trapped, Escape closes, focus back where it was):
 * choose people, then one action on them. Its content exists only while open, so nothing is searched
 * before someone asks.
 */
export function PeopleDialog(props: PeopleDialogProps) {
  const { ref, title, intro, submitLabel, pendingLabel, excluded, emptyText, max, onSubmit, testId } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const [isOpen, setIsOpen] = useState(false);
  const [chosen, setChosen] = useState<Person[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useImperativeHandle(ref, () => ({
    open() {
      setChosen([]);
      setError(null);
      setPending(false);
      setIsOpen(true);
    },
  }));

  // Shown once its content is there, then the search field takes the focus.
  useEffect(() => {
    if (!isOpen) return;
    if (!dialog.current?.open) dialog.current?.showModal();
    input.current?.focus();
  }, [isOpen]);

  const close = () => dialog.current?.close();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (chosen.length === 0) {
      setError('Choose at least one person first.');
      return;
    }
    setError(null);
    setPending(true);
    try {
      await onSubmit(chosen);
      close();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPending(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog people-dialog"
      aria-labelledby={titleId}
      onClose={() => setIsOpen(false)}
      data-testid={testId}
    >
      {isOpen && (
        <form onSubmit={submit} noValidate>
          <h2 id={titleId}>{title}</h2>
          <p className="muted">{intro}</p>
          <PeoplePicker
            label="People"
            chosen={chosen}
            onChange={(next) => {
              setChosen(next);
              setError(null);
            }}
            excluded={excluded}
            emptyText={emptyText}
            max={max}
            inputRef={input}
          />
          {error && (
            <p className="form-error" role="alert" data-testid="people-dialog-error">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button
              type="submit"
              className="button primary"
              disabled={pending || chosen.length === 0}
              data-testid="people-dialog-submit"
            >
              {pending ? pendingLabel : submitLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
