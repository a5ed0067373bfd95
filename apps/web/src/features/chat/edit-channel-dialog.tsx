import { LIMITS, ZUpdateChannelInput } from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type Ref, useImperativeHandle, useRef, useState } from 'react';
import { errorMessage, type FieldErrors, fieldErrors } from '../../lib/errors';
import { validate } from '../../lib/validation';
import { useTRPC } from '../../trpc';
import { Field } from '../../ui/field';
import { channelsKey } from './query-keys';
import type { ChannelSummary } from './types';

export interface EditChannelDialogHandle {
  open(): void;
}

/** "Edit" in a channel's header (its owner, an admin): rename it or change its topic; everyone sees it live. */
export function EditChannelDialog({ ref, channel }: { ref: Ref<EditChannelDialogHandle>; channel: ChannelSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState({ name: channel.name, topic: channel.topic ?? '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const update = useMutation(trpc.channel.update.mutationOptions({ meta: { inlineErrors: true } }));

  useImperativeHandle(ref, () => ({
    open() {
      setValues({ name: channel.name, topic: channel.topic ?? '' });
      setErrors({});
      update.reset();
      dialog.current?.showModal();
    },
  }));

  const close = () => dialog.current?.close();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // An emptied topic clears it (sent as ""); the slug never changes, so links keep working.
    const checked = validate(ZUpdateChannelInput, { channelId: channel.id, name: values.name, topic: values.topic });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      await update.mutateAsync(checked.data);
      await queryClient.invalidateQueries({ queryKey: channelsKey });
      close();
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };

  const serverError = update.error && !Object.values(fieldErrors(update.error)).some(Boolean);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="edit-channel-title" data-testid="edit-channel-dialog">
      <form onSubmit={submit} noValidate>
        <h2 id="edit-channel-title">Edit #{channel.slug}</h2>
        <Field
          label="Name"
          name="name"
          value={values.name}
          maxLength={LIMITS.channelName}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          error={errors.name}
          autoFocus
          data-testid="edit-channel-name"
        />
        <Field
          label="Topic"
          name="topic"
          value={values.topic}
          maxLength={LIMITS.topic}
          onChange={(e) => setValues((v) => ({ ...v, topic: e.target.value }))}
          error={errors.topic}
          hint="Shown under the name. Leave it empty to clear it."
          placeholder="What is this channel about?"
          data-testid="edit-channel-topic"
        />
        {serverError && (
          <p className="form-error" role="alert">
            {errorMessage(update.error)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={update.isPending} data-testid="edit-channel-save">
            {update.isPending ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
